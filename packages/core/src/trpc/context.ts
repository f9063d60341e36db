// The tRPC context: who is calling (from cookies), and how to set cookies on the answer.

import { TRPCError } from '@trpc/server';
import type { RepRow } from '../auth/repAccounts.ts';
import { TandemError } from '../refusal.ts';
import { batchAllowed } from './batching.ts';
import type { Services } from '../services.ts';

export const REP_COOKIE = 'tandem_rep';
export const CUSTOMER_COOKIE = 'tandem_customer';

export interface CookieOptions {
	maxAgeSeconds?: number;
}

export interface Context {
	services: Services;
	rep: RepRow | null;
	repToken: string | null;
	customerToken: string | null;
	clientId: string;
	setCookie(name: string, value: string, options?: CookieOptions): void;
	clearCookie(name: string): void;
}

export function parseCookies(header: string | null): Map<string, string> {
	const cookies = new Map<string, string>();
	for (const part of (header ?? '').split(';')) {
		const eq = part.indexOf('=');
		if (eq < 0) continue;
		const name = part.slice(0, eq).trim();
		if (!name || cookies.has(name)) continue;
		try {
			cookies.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
		} catch {
			/* a malformed cookie is no cookie */
		}
	}
	return cookies;
}

/** Refuses a request that batches too many calls, or batches a call that must come alone. */
export function checkBatch(req: Request): void {
	const url = new URL(req.url);
	if (!url.searchParams.has('batch')) return;
	const paths = decodeURIComponent(url.pathname.split('/').at(-1) ?? '').split(',');
	if (!batchAllowed(paths)) {
		throw new TRPCError({ code: 'BAD_REQUEST', cause: new TandemError('invalidInput') });
	}
}

export async function createContext(
	services: Services,
	opts: { req: Request; resHeaders: Headers; clientAddress?: string },
): Promise<Context> {
	checkBatch(opts.req);
	const cookies = parseCookies(opts.req.headers.get('cookie'));
	const repToken = cookies.get(REP_COOKIE) ?? null;
	const secure = services.config.publicUrl.startsWith('https:');
	const cookie = (name: string, value: string, maxAge: number) =>
		`${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
	return {
		services,
		rep: await services.reps.repForToken(repToken),
		repToken,
		customerToken: cookies.get(CUSTOMER_COOKIE) ?? null,
		clientId: clientIdOf(opts, services.config.trustProxy ?? false),
		setCookie: (name, value, o) => opts.resHeaders.append('set-cookie', cookie(name, value, o?.maxAgeSeconds ?? 7 * 24 * 3600)),
		clearCookie: (name) => opts.resHeaders.append('set-cookie', cookie(name, '', 0)),
	};
}

/**
 * Who the client is, for per-client limits: the socket's address; behind a trusted reverse proxy, the
 * address that proxy saw (the last X-Forwarded-For entry — the ones before it are the client's own say).
 */
export function clientIdOf(opts: { req: Request; clientAddress?: string }, trustProxy: boolean): string {
	if (trustProxy) {
		const forwarded = opts.req.headers.get('x-forwarded-for')?.split(',').at(-1)?.trim();
		if (forwarded) return forwarded;
	}
	return opts.clientAddress ?? 'local';
}
