// Administration: reps and site settings (SPEC §10). Admins only; out-of-range numbers are refused by
// zod before anything is written (the console names the field and its range).

import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { siteSettings } from '@tandem/db';
import { repMaxCustomersRange, siteSettingRanges, type Range } from '../../admin/ranges.ts';
import { readSiteSettings } from '../../service/repLoad.ts';
import { adminProcedure, router } from '../trpc.ts';
import { personName } from '../../session/personName.ts';
import { email, password } from './auth.ts';

const inRange = (r: Range) => z.number().int().min(r.min).max(r.max);

const repFields = {
	name: personName,
	isAdmin: z.boolean(),
	isRep: z.boolean(),
	isAgent: z.boolean(),
	sessionMode: z.enum(['single', 'multi']).nullable(),
	maxCustomers: inRange(repMaxCustomersRange).nullable(),
	voiceCalls: z.boolean(),
	language: z.enum(['en', 'sr']),
};

export const adminRouter = router({
	reps: adminProcedure.query(({ ctx }) => ctx.services.reps.list()),

	createRep: adminProcedure
		.input(
			z
				.object({ email, password, ...repFields })
				.partial({ isAdmin: true, isRep: true, isAgent: true, sessionMode: true, maxCustomers: true, voiceCalls: true, language: true }),
		)
		.mutation(({ ctx, input }) => ctx.services.reps.create(input)),

	updateRep: adminProcedure
		.input(
			z
				.object({ id: z.uuid(), ...repFields, disabled: z.boolean() })
				.partial()
				.required({ id: true }),
		)
		.mutation(({ ctx, input }) => {
			const { id, ...patch } = input;
			return ctx.services.reps.update(id, patch);
		}),

	settings: adminProcedure.query(({ ctx }) => readSiteSettings(ctx.services.db)),

	updateSettings: adminProcedure
		.input(
			z
				.object({
					maxCustomersPerRep: inRange(siteSettingRanges.maxCustomersPerRep),
					maxSessionsPerRep: inRange(siteSettingRanges.maxSessionsPerRep),
					defaultSessionMode: z.enum(['single', 'multi']),
					gracePeriodSeconds: inRange(siteSettingRanges.gracePeriodSeconds),
					invitationExpiryHours: inRange(siteSettingRanges.invitationExpiryHours),
					fileSizeLimitMb: inRange(siteSettingRanges.fileSizeLimitMb),
				})
				.partial(),
		)
		.mutation(async ({ ctx, input }) => {
			await readSiteSettings(ctx.services.db);
			const [row] = await ctx.services.db
				.update(siteSettings)
				.set({ ...input, updatedAt: new Date() })
				.where(eq(siteSettings.id, 1))
				.returning();
			return row!;
		}),
});
