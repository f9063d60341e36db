// tRPC building blocks: the error shape (a TandemError's code travels to the client, which shows it in
// the user's language) and procedures narrowed by who the caller is.

import { initTRPC, TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { z } from 'zod';
import { TandemError, type ErrorCode } from '../refusal.ts';
import type { Context } from './context.ts';

const t = initTRPC.context<Context>().create({
	sse: { ping: { enabled: true, intervalMs: 5_000 }, client: { reconnectAfterInactivityMs: 12_000 } },
	errorFormatter({ shape, error }) {
		const cause = error.cause;
		const code: ErrorCode | null = cause instanceof TandemError ? cause.code : cause instanceof z.ZodError ? 'invalidInput' : null;
		const issues = cause instanceof z.ZodError ? cause.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) : undefined;
		const params = cause instanceof TandemError ? cause.params : undefined;
		return { ...shape, data: { ...shape.data, tandemCode: code, issues, params, stack: undefined } };
	},
});

const httpCode: Partial<Record<ErrorCode, TRPC_ERROR_CODE_KEY>> = {
	notSignedIn: 'UNAUTHORIZED',
	badCredentials: 'UNAUTHORIZED',
	accountDisabled: 'FORBIDDEN',
	accountLocked: 'TOO_MANY_REQUESTS',
	tooManyWrongNumbers: 'TOO_MANY_REQUESTS',
	repNotFound: 'NOT_FOUND',
	invalidRoles: 'BAD_REQUEST',
	sessionNotFound: 'NOT_FOUND',
	invitationNotFound: 'NOT_FOUND',
	invitationWrongRole: 'FORBIDDEN',
	invalidEmail: 'BAD_REQUEST',
	mailNotSent: 'BAD_GATEWAY',
	participantNotFound: 'NOT_FOUND',
	invalidSessionNumber: 'BAD_REQUEST',
	invalidInput: 'BAD_REQUEST',
	nameRequired: 'BAD_REQUEST',
	notController: 'FORBIDDEN',
	notInSession: 'FORBIDDEN',
	notARep: 'FORBIDDEN',
	forbidden: 'FORBIDDEN',
	assistantsCannotDoThat: 'FORBIDDEN',
	recordingNotFound: 'NOT_FOUND',
	mediaUnavailable: 'SERVICE_UNAVAILABLE',
	sessionEnded: 'CONFLICT',
	tryAgain: 'CONFLICT',
};

/** Domain refusals become tRPC errors with the refusal's code kept as the cause. */
const refusals = t.middleware(async ({ next }) => {
	const result = await next();
	if (!result.ok && result.error.cause instanceof TandemError) {
		const cause = result.error.cause;
		throw new TRPCError({ code: httpCode[cause.code] ?? 'CONFLICT', message: cause.message, cause });
	}
	return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(refusals);

/** A signed-in rep (or admin) — the console's caller. */
export const repProcedure = publicProcedure.use(({ ctx, next }) => {
	if (!ctx.rep) throw new TRPCError({ code: 'UNAUTHORIZED', cause: new TandemError('notSignedIn') });
	return next({ ctx: { ...ctx, rep: ctx.rep } });
});

export const adminProcedure = repProcedure.use(({ ctx, next }) => {
	if (!ctx.rep.isAdmin) throw new TRPCError({ code: 'FORBIDDEN', cause: new TandemError('forbidden') });
	return next();
});
