// Signing in and out, and the one-time creation of the first admin on an empty database.

import { z } from 'zod';
import { profileOf } from '../../auth/repAccounts.ts';
import { personName } from '../../session/personName.ts';
import { REP_COOKIE } from '../context.ts';
import { publicProcedure, repProcedure, router } from '../trpc.ts';

export const email = z.string().trim().toLowerCase().max(254).pipe(z.email());
export const password = z.string().min(8).max(200);

export const authRouter = router({
	status: publicProcedure.query(async ({ ctx }) => ({
		setupNeeded: await ctx.services.reps.setupNeeded(),
		me: ctx.rep ? profileOf(ctx.rep) : null,
	})),

	createFirstAdmin: publicProcedure.input(z.object({ name: personName, email, password })).mutation(async ({ ctx, input }) => {
		const admin = await ctx.services.reps.createFirstAdmin(input);
		const { token } = await ctx.services.reps.signIn(input.email, input.password, ctx.clientId);
		ctx.setCookie(REP_COOKIE, token);
		return admin;
	}),

	signIn: publicProcedure
		.input(z.object({ email: z.string().trim().max(254), password: z.string().max(200) }))
		.mutation(async ({ ctx, input }) => {
			const { token, rep } = await ctx.services.reps.signIn(input.email, input.password, ctx.clientId);
			ctx.setCookie(REP_COOKIE, token);
			return rep;
		}),

	signOut: publicProcedure.mutation(async ({ ctx }) => {
		// A WebACD agent who signs out is away (SPEC §8) until they choose again.
		if (ctx.rep) await ctx.services.acd.leftConsole(ctx.rep.id);
		await ctx.services.reps.signOut(ctx.repToken);
		ctx.clearCookie(REP_COOKIE);
		return { ok: true };
	}),

	/** The console page is unloading (SPEC §2): its sessions end in 5 s unless it comes back. */
	goodbye: repProcedure.input(z.object({ consoleId: z.string().min(8).max(64) })).mutation(async ({ ctx, input }) => {
		await ctx.services.lifeline.goodbye(ctx.rep.id, input.consoleId);
		return { ok: true };
	}),

	/** The console is still there (every 5 s): one that falls silent has lost its connection (SPEC §2). */
	heartbeat: repProcedure
		.input(z.object({ consoleId: z.string().min(8).max(64), microphone: z.boolean().optional() }))
		.mutation(async ({ ctx, input }) => {
			await ctx.services.lifeline.heartbeat(ctx.rep.id, input.consoleId, { microphone: input.microphone });
			return { ok: true };
		}),

	setLanguage: repProcedure
		.input(z.object({ language: z.enum(['en', 'sr']) }))
		.mutation(({ ctx, input }) => ctx.services.reps.update(ctx.rep.id, { language: input.language })),
});
