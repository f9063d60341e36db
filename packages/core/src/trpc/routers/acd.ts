// WebACD (SPEC §7, §8): Get help for customers; for agents, their state in the console's header and the
// offers made to them, to accept or decline.

import { z } from 'zod';
import { TandemError } from '../../refusal.ts';
import { freeText, MESSAGE_MAX, PROBLEM_MAX } from '../../session/freeText.ts';
import { personName } from '../../session/personName.ts';
import { viewFor } from '../../feed/views.ts';
import { CUSTOMER_COOKIE } from '../context.ts';
import { publicProcedure, repProcedure, router } from '../trpc.ts';
import { email } from './auth.ts';

const sessionId = z.uuid();
const offerId = z.uuid();

export const acdRouter = router({
	/** The caller's own agent state (null for a rep who is not an agent). */
	me: repProcedure.query(async ({ ctx }) => (ctx.rep.isAgent ? ((await ctx.services.acd.agentViews([ctx.rep.id]))[0] ?? null) : null)),

	/** Available, Busy or Away, as the agent chooses it in the header. */
	setState: repProcedure
		.input(z.object({ state: z.enum(['available', 'busy', 'away']) }))
		.mutation(({ ctx, input }) => ctx.services.acd.chooseState(ctx.rep.id, input.state)),

	/** The queues a customer may choose in Get help (only their names). */
	openQueues: publicProcedure.query(({ ctx }) => ctx.services.acd.openQueues()),

	/**
	 * Get help (SPEC §8): name, e-mail (optional), the problem (at most 500 characters), and the queue — which
	 * may be left out when only one is open. The browser keeps the participant token, as after a join.
	 */
	requestHelp: publicProcedure
		.input(
			z.object({
				name: personName,
				email: z.union([z.literal(''), email]).optional(),
				problem: freeText(PROBLEM_MAX),
				queueId: z.uuid().optional(),
			}),
		)
		.mutation(async ({ ctx, input }) => {
			ctx.services.helpRequests.take(ctx.clientId);
			const open = await ctx.services.acd.openQueues();
			const queueId = input.queueId ?? (open.length === 1 ? open[0]!.id : null);
			if (!queueId) throw new TandemError('queueNotFound');
			const { state, participantId, token } = await ctx.services.sessions.requestHelp({
				queueId,
				name: input.name,
				problem: input.problem,
				email: input.email ? input.email : null,
			});
			ctx.setCookie(CUSTOMER_COOKIE, token, { maxAgeSeconds: 24 * 3600 });
			return { sessionId: state.id, participantId };
		}),

	/** The offers out to the calling agent now. */
	offers: repProcedure.query(({ ctx }) => ctx.services.acd.offersFor(ctx.rep.id)),

	/** Accept: the session is the agent's, with the customer in it (SPEC §8). */
	accept: repProcedure.input(z.object({ sessionId, offerId })).mutation(async ({ ctx, input }) => {
		const state = await ctx.services.sessions.acceptOffer(ctx.rep.id, input.sessionId, input.offerId);
		return viewFor(state, { kind: 'rep', repId: ctx.rep.id, agent: ctx.rep.isAgent });
	}),

	/** Where a transfer may go (SPEC §7): the queues, and the other agents with their state and load. */
	transferTargets: repProcedure.query(async ({ ctx }) => {
		if (!ctx.rep.isAgent) throw new TandemError('notAnAgent');
		return ctx.services.acd.transferTargets(ctx.rep.id);
	}),

	/**
	 * Transfer session (SPEC §7): to exactly one queue or to one or more agents, with a personal message of at
	 * most 345 characters (code points after NFC). The rep leaves; the session waits for an agent.
	 */
	transfer: repProcedure
		.input(
			z.object({
				sessionId,
				queueId: z.uuid().nullish(),
				agents: z.array(z.uuid()).max(50).default([]),
				message: freeText(MESSAGE_MAX).default(''),
			}),
		)
		.mutation(async ({ ctx, input }) => {
			const state = await ctx.services.sessions.transferSession(ctx.rep.id, input.sessionId, {
				queueId: input.queueId ?? null,
				agents: input.agents,
				message: input.message,
			});
			return viewFor(state, { kind: 'rep', repId: ctx.rep.id, agent: ctx.rep.isAgent });
		}),

	decline: repProcedure.input(z.object({ sessionId, offerId })).mutation(async ({ ctx, input }) => {
		await ctx.services.sessions.declineOffer(ctx.rep.id, input.sessionId, input.offerId);
		return { ok: true };
	}),
});
