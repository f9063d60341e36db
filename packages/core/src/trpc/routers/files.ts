// File transfer (SPEC §9): Send file (an offer, whose bytes then go by tus to the address it answers), the
// receiver's Accept, and Cancel. Who may is the session rules' to say; the bytes' routes are the console's
// (/console/api/files…), over the same service.

import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { TandemError } from '../../refusal.ts';
import { fileName, mediaType } from '../../session/fileName.ts';
import { actorIn } from '../actor.ts';
import type { Context } from '../context.ts';
import { publicProcedure, router } from '../trpc.ts';

const sessionId = z.uuid();
const fileId = z.uuid();

/** The caller in the session; nobody at all is refused before the rules are asked. */
async function callerIn(ctx: Context, id: string) {
	const actor = await actorIn(ctx, id);
	if (actor.kind === 'anonymous') throw new TRPCError({ code: 'UNAUTHORIZED', cause: new TandemError('notSignedIn') });
	return actor;
}

export const filesRouter = router({
	/**
	 * Send file: to one customer (`to`, by default the one in focus) or every customer (`'everyCustomer'`) from
	 * the controlling rep; from a customer, to the controlling rep (`to` left out). Answers the file's id and
	 * where its bytes go (tus, with `fileId` in the upload's metadata).
	 */
	offer: publicProcedure
		.input(
			z.object({
				sessionId,
				to: z.union([z.uuid(), z.literal('everyCustomer')]).nullish(),
				name: fileName,
				size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
				mediaType: mediaType.default('application/octet-stream'),
			}),
		)
		.mutation(async ({ ctx, input: { sessionId: id, to, ...file } }) =>
			ctx.services.files.offer(id, await callerIn(ctx, id), { to: to ?? null, ...file }),
		),

	/** The receiver accepts the offer (they may then download it once complete; the sender sees it). */
	accept: publicProcedure.input(z.object({ sessionId, fileId })).mutation(async ({ ctx, input }) => {
		await ctx.services.files.accept(input.sessionId, await callerIn(ctx, input.sessionId), input.fileId);
		return { ok: true as const };
	}),

	/** Cancel a transfer not yet complete: the controlling rep any, a sender their own; its partial data is removed. */
	cancel: publicProcedure.input(z.object({ sessionId, fileId })).mutation(async ({ ctx, input }) => {
		await ctx.services.files.cancel(input.sessionId, await callerIn(ctx, input.sessionId), input.fileId);
		return { ok: true as const };
	}),
});
