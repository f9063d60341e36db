// The audit (SPEC §10), for administrators: verify every chain and checkpoint now, or read the last result
// (whoever ran it: this page or `npm run audit:verify`) and when the latest checkpoint was written.

import { adminProcedure, router } from '../trpc.ts';

export const auditRouter = router({
	status: adminProcedure.query(({ ctx }) => ctx.services.audit.status()),

	verify: adminProcedure.mutation(async ({ ctx }) => {
		await ctx.services.audit.verify('admin');
		return ctx.services.audit.status();
	}),
});
