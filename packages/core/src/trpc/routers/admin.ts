// Administration: reps, queues and site settings (SPEC §8, §10). Admins only; out-of-range numbers are
// refused by zod before anything is written (the console names the field and its range). Every change is
// written to the one log as well.

import { z } from 'zod';
import { repAgentCapacityRange, repMaxCustomersRange, siteSettingRanges, type Range } from '../../admin/ranges.ts';
import { routingRules } from '../../acd/model.ts';
import { readSiteSettings } from '../../service/repLoad.ts';
import { updateSiteSettings } from '../../service/siteSettings.ts';
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
	agentCapacity: inRange(repAgentCapacityRange).nullable(),
	voiceCalls: z.boolean(),
	language: z.enum(['en', 'sr']),
};

const queueFields = z.object({
	name: personName,
	members: z.array(z.uuid()).max(500),
	routing: z.enum(routingRules),
	openToCustomers: z.boolean(),
});

export const adminRouter = router({
	reps: adminProcedure.query(({ ctx }) => ctx.services.reps.list()),

	createRep: adminProcedure
		.input(
			z.object({ email, password, ...repFields }).partial({
				isAdmin: true,
				isRep: true,
				isAgent: true,
				sessionMode: true,
				maxCustomers: true,
				agentCapacity: true,
				voiceCalls: true,
				language: true,
			}),
		)
		.mutation(({ ctx, input }) => ctx.services.reps.create(input, ctx.rep.id)),

	updateRep: adminProcedure
		.input(
			z
				.object({ id: z.uuid(), ...repFields, disabled: z.boolean() })
				.partial()
				.required({ id: true }),
		)
		.mutation(({ ctx, input }) => {
			const { id, ...patch } = input;
			return ctx.services.reps.update(id, patch, ctx.rep.id);
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
					fileRetentionDays: inRange(siteSettingRanges.fileRetentionDays),
					agentCapacity: inRange(siteSettingRanges.agentCapacity),
					offerTimeoutSeconds: inRange(siteSettingRanges.offerTimeoutSeconds),
					fallbackQueueId: z.uuid().nullable(),
				})
				.partial(),
		)
		.mutation(({ ctx, input }) => updateSiteSettings(ctx.services, ctx.rep.id, input)),

	/** WebACD queues (SPEC §8): name, member agents, routing, whether customers may pick it in Get help. */
	queues: adminProcedure.query(({ ctx }) => ctx.services.acd.queues()),

	createQueue: adminProcedure.input(queueFields).mutation(({ ctx, input }) => ctx.services.acd.createQueue(ctx.rep.id, input)),

	updateQueue: adminProcedure
		.input(queueFields.partial().extend({ id: z.uuid() }))
		.mutation(({ ctx, input: { id, ...changes } }) => ctx.services.acd.changeQueue(ctx.rep.id, id, changes)),

	removeQueue: adminProcedure.input(z.object({ id: z.uuid() })).mutation(async ({ ctx, input }) => {
		await ctx.services.acd.removeQueue(ctx.rep.id, input.id);
		return { ok: true };
	}),
});
