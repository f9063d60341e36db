// WebACD for agents (SPEC §7, §8): their state in the console's header, and the agents a transfer may choose.

import { z } from 'zod';
import { repProcedure, router } from '../trpc.ts';

export const acdRouter = router({
	/** The caller's own agent state (null for a rep who is not an agent). */
	me: repProcedure.query(async ({ ctx }) => (ctx.rep.isAgent ? ((await ctx.services.acd.agentViews([ctx.rep.id]))[0] ?? null) : null)),

	/** Available, Busy or Away, as the agent chooses it in the header. */
	setState: repProcedure
		.input(z.object({ state: z.enum(['available', 'busy', 'away']) }))
		.mutation(({ ctx, input }) => ctx.services.acd.chooseState(ctx.rep.id, input.state)),
});
