// Outbound webhooks (issue 11: event export for other systems). Admins only; each procedure hands off to the
// service, which checks the address (refusals with their codes), keeps the change in the log, and shows a new
// webhook's signing secret once, in register's answer.

import { z } from 'zod';
import { adminProcedure, router } from '../trpc.ts';

/** The address as typed; its checks (http(s), length, host, private, the server itself) are the service's. */
const url = z.string().max(10_000);
const id = z.object({ id: z.uuid() });

export const webhooksRouter = router({
	list: adminProcedure.query(({ ctx }) => ctx.services.webhooks.list()),

	register: adminProcedure.input(z.object({ url })).mutation(({ ctx, input }) => ctx.services.webhooks.register(ctx.rep.id, input.url)),

	remove: adminProcedure.input(id).mutation(async ({ ctx, input }) => {
		await ctx.services.webhooks.remove(ctx.rep.id, input.id);
		return { ok: true };
	}),

	retry: adminProcedure.input(id).mutation(({ ctx, input }) => ctx.services.webhooks.retry(ctx.rep.id, input.id)),
});
