// tRPC building blocks: the error shape (a TandemError's code travels to the client, which shows it in
// the user's language) and procedures narrowed by who the caller is.

import { randomUUID } from 'node:crypto';
import { initTRPC, TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { z } from 'zod';
import { TandemError, type ErrorCode } from '../refusal.ts';
import type { Context } from './context.ts';
import { inputIssues } from './inputIssue.ts';

const t = initTRPC.context<Context>().create({
	sse: { ping: { enabled: true, intervalMs: 5_000 }, client: { reconnectAfterInactivityMs: 12_000 } },
	// What a client learns of an error: the refusal's code (it words it in the user's language), the fields
	// that were wrong — and of anything else only that it happened, with an id to find it in the server's log.
	// Never a message from inside (SQL and its parameters, a path, the SFU's words), never a stack.
	errorFormatter({ shape, error }) {
		const cause = error.cause;
		const code: ErrorCode | null = cause instanceof TandemError ? cause.code : cause instanceof z.ZodError ? 'invalidInput' : null;
		const issues = cause instanceof z.ZodError ? inputIssues(cause) : undefined;
		const params = cause instanceof TandemError ? cause.params : undefined;
		const data = { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, tandemCode: code, issues, params };
		if (code) return { ...shape, message: code, data };
		if (error.code !== 'INTERNAL_SERVER_ERROR') return { ...shape, message: error.code, data };
		const errorId = randomUUID();
		console.error(`API error ${errorId} in ${shape.data.path ?? '?'}:`, error.cause ?? error);
		return { ...shape, message: `Internal error ${errorId}`, data: { ...data, errorId } };
	},
});

const httpCode: Partial<Record<ErrorCode, TRPC_ERROR_CODE_KEY>> = {
	notSignedIn: 'UNAUTHORIZED',
	badCredentials: 'UNAUTHORIZED',
	accountDisabled: 'FORBIDDEN',
	accountLocked: 'TOO_MANY_REQUESTS',
	tooManyWrongNumbers: 'TOO_MANY_REQUESTS',
	tooManyRequests: 'TOO_MANY_REQUESTS',
	notAnAgent: 'FORBIDDEN',
	notYourOffer: 'FORBIDDEN',
	queueNotFound: 'NOT_FOUND',
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
	messageEmpty: 'BAD_REQUEST',
	notController: 'FORBIDDEN',
	notInSession: 'FORBIDDEN',
	notARep: 'FORBIDDEN',
	forbidden: 'FORBIDDEN',
	reportNotYours: 'FORBIDDEN',
	reportNotFound: 'NOT_FOUND',
	assistantsCannotDoThat: 'FORBIDDEN',
	recordingNotFound: 'NOT_FOUND',
	mediaUnavailable: 'SERVICE_UNAVAILABLE',
	sessionEnded: 'CONFLICT',
	tryAgain: 'CONFLICT',
	fileNotFound: 'NOT_FOUND',
	fileEmpty: 'BAD_REQUEST',
	fileTooLarge: 'PAYLOAD_TOO_LARGE',
	invalidFileName: 'BAD_REQUEST',
	noRecipient: 'BAD_REQUEST',
	notFileSender: 'FORBIDDEN',
	notFileRecipient: 'FORBIDDEN',
	webhookUrlInvalid: 'BAD_REQUEST',
	webhookUrlNotHttp: 'BAD_REQUEST',
	webhookUrlCredentials: 'BAD_REQUEST',
	webhookHostUnknown: 'BAD_REQUEST',
	webhookPrivateAddress: 'BAD_REQUEST',
	webhookOwnServer: 'BAD_REQUEST',
	webhookNotFound: 'NOT_FOUND',
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

/** Deeper than any input of ours: refused before it is parsed. */
const MAX_DEPTH = 16;
const NUL_OR_LONE_SURROGATE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A string no person types: a NUL, or half of a surrogate pair (not Unicode at all). */
function malformed(value: unknown, depth = 0): boolean {
	if (typeof value === 'string') return NUL_OR_LONE_SURROGATE.test(value);
	if (value === null || typeof value !== 'object') return false;
	if (depth > MAX_DEPTH) return true;
	for (const [key, inner] of Object.entries(value)) {
		if (NUL_OR_LONE_SURROGATE.test(key) || malformed(inner, depth + 1)) return true;
	}
	return false;
}

/** Every procedure's input, before its own schema: no NUL, no lone surrogate, no absurd nesting, in any string or key. */
const wellFormedInput = t.middleware(async ({ getRawInput, next }) => {
	// Input that is not even JSON is the procedure's parser's to refuse (one with no input ignores it).
	const raw = await getRawInput().catch(() => undefined);
	if (malformed(raw)) throw new TRPCError({ code: 'BAD_REQUEST', cause: new TandemError('invalidInput') });
	return next();
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(refusals).use(wellFormedInput);

/** A signed-in rep (or admin) — the console's caller. */
export const repProcedure = publicProcedure.use(({ ctx, next }) => {
	if (!ctx.rep) throw new TRPCError({ code: 'UNAUTHORIZED', cause: new TandemError('notSignedIn') });
	return next({ ctx: { ...ctx, rep: ctx.rep } });
});

export const adminProcedure = repProcedure.use(({ ctx, next }) => {
	if (!ctx.rep.isAdmin) throw new TRPCError({ code: 'FORBIDDEN', cause: new TandemError('forbidden') });
	return next();
});
