// Support sessions: start, join, assist, and the control functions (SPEC §2, §4, §5, §6).
// Every call names its actor; `decide` in core says whether they may.

import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { viewFor } from '../../feed/views.ts';
import { TandemError } from '../../refusal.ts';
import { actorIn } from '../actor.ts';
import { CUSTOMER_COOKIE, type Context } from '../context.ts';
import { byNumber } from '../numberGuard.ts';
import { publicProcedure, repProcedure, router } from '../trpc.ts';
import { personName } from '../../session/personName.ts';

const sessionId = z.uuid();
const typedNumber = z.string().trim().min(1).max(20);
const activity = z.enum(['sharing', 'video', 'recording', 'voiceCall']);

export const sessionRouter = router({
	start: repProcedure.mutation(async ({ ctx }) => {
		const state = await ctx.services.sessions.start(ctx.rep.id);
		return viewFor(state, { kind: 'rep', repId: ctx.rep.id, agent: ctx.rep.isAgent });
	}),

	/** A customer joins by number and name; their browser keeps the participant token (SPEC §4). */
	join: publicProcedure.input(z.object({ number: typedNumber, name: personName })).mutation(({ ctx, input }) =>
		byNumber(ctx, async () => {
			const sessions = ctx.services.sessions;
			const id = await sessions.sessionIdForNumber(input.number);
			// Already in it (a reload, a second tab): the same participant.
			if (ctx.customerToken) {
				const known = await sessions.customerFromToken(ctx.customerToken);
				const state = known?.sessionId === id ? await sessions.state(id) : null;
				if (known && state?.participants.some((p) => p.id === known.participantId)) {
					return { sessionId: id, participantId: known.participantId };
				}
			}
			const { participantId, token } = await sessions.joinByNumber(input.number, input.name);
			ctx.setCookie(CUSTOMER_COOKIE, token, { maxAgeSeconds: 24 * 3600 });
			return { sessionId: id, participantId };
		}),
	),

	/** Provide Support › Assist Session: a rep joins by number, with no control. */
	assist: repProcedure.input(z.object({ number: typedNumber })).mutation(({ ctx, input }) => {
		return byNumber(ctx, async () => {
			const state = await ctx.services.sessions.assist(ctx.rep.id, input.number);
			return viewFor(state, { kind: 'rep', repId: ctx.rep.id, agent: ctx.rep.isAgent });
		});
	}),

	/** A customer opens an invitation link and gives only their name (SPEC §3, §4). */
	joinByInvite: publicProcedure.input(z.object({ token: z.string().max(200), name: personName })).mutation(async ({ ctx, input }) => {
		const sessions = ctx.services.sessions;
		const { sessionId: id, state } = await sessions.invitationForToken(input.token);
		// Already in its session (a reload, a second tab): the same participant.
		const known = ctx.customerToken ? await sessions.customerFromToken(ctx.customerToken) : null;
		if (known?.sessionId === id && state.participants.some((p) => p.id === known.participantId)) {
			return { sessionId: id, participantId: known.participantId };
		}
		const { participantId, token } = await sessions.joinByInvitation(input.token, input.name);
		ctx.setCookie(CUSTOMER_COOKIE, token, { maxAgeSeconds: 24 * 3600 });
		return { sessionId: id, participantId };
	}),

	/** A signed-in rep opens a rep invitation link: they assist, with no control (SPEC §3). */
	assistByInvite: repProcedure.input(z.object({ token: z.string().max(200) })).mutation(async ({ ctx, input }) => {
		const state = await ctx.services.sessions.assistByInvitation(ctx.rep.id, input.token);
		return viewFor(state, { kind: 'rep', repId: ctx.rep.id, agent: ctx.rep.isAgent });
	}),

	focusCustomer: publicProcedure
		.input(z.object({ sessionId, participantId: z.uuid() }))
		.mutation(async ({ ctx, input }) => done(ctx, input.sessionId, { type: 'focusCustomer', participantId: input.participantId })),

	transferControl: publicProcedure
		.input(z.object({ sessionId, to: z.uuid(), leave: z.boolean().default(false) }))
		.mutation(async ({ ctx, input }) => done(ctx, input.sessionId, { type: 'transferControl', to: input.to, leave: input.leave })),

	removeParticipant: publicProcedure
		.input(z.object({ sessionId, participantId: z.uuid() }))
		.mutation(async ({ ctx, input }) => done(ctx, input.sessionId, { type: 'removeParticipant', participantId: input.participantId })),

	leave: publicProcedure.input(z.object({ sessionId })).mutation(async ({ ctx, input }) => done(ctx, input.sessionId, { type: 'leave' })),

	end: publicProcedure.input(z.object({ sessionId })).mutation(async ({ ctx, input }) => done(ctx, input.sessionId, { type: 'end' })),

	startActivity: publicProcedure
		.input(z.object({ sessionId, activity }))
		.mutation(async ({ ctx, input }) => done(ctx, input.sessionId, { type: 'startActivity', activity: input.activity })),

	stopActivity: publicProcedure
		.input(z.object({ sessionId, activity, participantId: z.uuid().optional() }))
		.mutation(async ({ ctx, input }) =>
			done(ctx, input.sessionId, {
				type: 'stopActivity',
				activity: input.activity,
				...(input.participantId ? { participantId: input.participantId } : {}),
			}),
		),
});

async function done(ctx: Context, id: string, command: Parameters<Context['services']['sessions']['command']>[2]) {
	const actor = await actorIn(ctx, id);
	if (actor.kind === 'anonymous') throw new TRPCError({ code: 'UNAUTHORIZED', cause: new TandemError('notSignedIn') });
	await ctx.services.sessions.command(id, actor, command);
	return { ok: true as const };
}
