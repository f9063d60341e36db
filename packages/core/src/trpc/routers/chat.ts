// The session's chat (SPEC §9): write a line, say you are typing, and — a customer, once it has ended —
// have the transcript mailed. Who may is the session rules' to say (decide.ts).

import { z } from 'zod';
import { freeText, CHAT_MAX } from '../../session/freeText.ts';
import { actorIn } from '../actor.ts';
import { publicProcedure, router } from '../trpc.ts';
import { email } from './auth.ts';

const sessionId = z.uuid();

/** An IANA time zone the server knows (the transcript's times are the customer's). */
const timeZone = z
	.string()
	.max(64)
	.refine((zone) => {
		try {
			new Intl.DateTimeFormat('en', { timeZone: zone });
			return true;
		} catch {
			return false;
		}
	}, 'unknownTimeZone');

export const chatRouter = router({
	send: publicProcedure.input(z.object({ sessionId, messageId: z.uuid(), text: freeText(CHAT_MAX) })).mutation(async ({ ctx, input }) => {
		await ctx.services.chat.post(await actorIn(ctx, input.sessionId), input.sessionId, input.messageId, input.text);
		return { ok: true as const };
	}),

	typing: publicProcedure.input(z.object({ sessionId })).mutation(async ({ ctx, input }) => {
		await ctx.services.chat.typing(await actorIn(ctx, input.sessionId), input.sessionId);
		return { ok: true as const };
	}),

	mailTranscript: publicProcedure
		.input(z.object({ sessionId, to: email, language: z.enum(['en', 'sr']), timeZone: timeZone.default('UTC') }))
		.mutation(async ({ ctx, input }) =>
			ctx.services.chat.mailTranscript(await actorIn(ctx, input.sessionId), input.sessionId, {
				to: input.to,
				language: input.language,
				timeZone: input.timeZone,
			}),
		),
});
