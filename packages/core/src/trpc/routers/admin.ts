// Administration: reps and site settings (SPEC §10). Admins only.

import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { siteSettings } from '@tandem/db';
import { readSiteSettings } from '../../service/repLoad.ts';
import { adminProcedure, router } from '../trpc.ts';
import { email, password, personName } from './auth.ts';

const repFields = {
	name: personName,
	isAdmin: z.boolean(),
	isRep: z.boolean(),
	isAgent: z.boolean(),
	sessionMode: z.enum(['single', 'multi']).nullable(),
	maxCustomers: z.number().int().min(1).max(100).nullable(),
	voiceCalls: z.boolean(),
	language: z.enum(['en', 'sr']),
};

export const adminRouter = router({
	reps: adminProcedure.query(({ ctx }) => ctx.services.reps.list()),

	createRep: adminProcedure
		.input(z.object({ email, password, ...repFields }).partial({ isAdmin: true, isRep: true, isAgent: true, sessionMode: true, maxCustomers: true, voiceCalls: true, language: true }))
		.mutation(({ ctx, input }) => ctx.services.reps.create(input)),

	updateRep: adminProcedure
		.input(z.object({ id: z.uuid(), ...repFields, disabled: z.boolean() }).partial().required({ id: true }))
		.mutation(({ ctx, input }) => {
			const { id, ...patch } = input;
			return ctx.services.reps.update(id, patch);
		}),

	settings: adminProcedure.query(({ ctx }) => readSiteSettings(ctx.services.db)),

	updateSettings: adminProcedure
		.input(
			z
				.object({
					maxCustomersPerRep: z.number().int().min(1).max(100),
					maxSessionsPerRep: z.number().int().min(1).max(50),
					defaultSessionMode: z.enum(['single', 'multi']),
					gracePeriodSeconds: z.number().int().min(5).max(3600),
					invitationExpiryHours: z.number().int().min(1).max(24 * 30),
					fileSizeLimitMb: z.number().int().min(1).max(10_000),
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
