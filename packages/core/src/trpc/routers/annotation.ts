// Remote pointer and annotation (SPEC §9): draw a mark or clear them (session commands), and move the
// pointer (told, never stored). Who may is the session rules' to say (decide.ts: the controlling rep, over a
// screen someone is sharing now).

import { z } from 'zod';
import { MARK_POINTS_MAX } from '../../session/model.ts';
import { actorIn } from '../actor.ts';
import { publicProcedure, router } from '../trpc.ts';

const sessionId = z.uuid();
/** Whose shared screen: a participant's id. */
const share = z.string().min(1).max(64);
/** A place on the shared surface: 0–1 across and down. */
const coordinate = z.number().min(0).max(1);
const point = z.tuple([coordinate, coordinate]);

export const annotationRouter = router({
	draw: publicProcedure
		.input(
			z.object({
				sessionId,
				markId: z.uuid(),
				share,
				kind: z.enum(['arrow', 'freehand']),
				points: z.array(point).min(2).max(MARK_POINTS_MAX),
			}),
		)
		.mutation(async ({ ctx, input }) => {
			const { sessionId: id, ...mark } = input;
			await ctx.services.annotations.draw(await actorIn(ctx, id), id, mark);
			return { ok: true as const };
		}),

	clear: publicProcedure.input(z.object({ sessionId, share: share.nullable() })).mutation(async ({ ctx, input }) => {
		await ctx.services.annotations.clear(await actorIn(ctx, input.sessionId), input.sessionId, input.share);
		return { ok: true as const };
	}),

	point: publicProcedure
		.input(z.object({ sessionId, share, x: coordinate.nullable(), y: coordinate.nullable() }))
		.mutation(async ({ ctx, input }) => {
			const at = input.x === null || input.y === null ? null : { x: input.x, y: input.y };
			await ctx.services.annotations.point(await actorIn(ctx, input.sessionId), input.sessionId, input.share, at);
			return { ok: true as const };
		}),
});
