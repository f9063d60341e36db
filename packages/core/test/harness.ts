// API test harness: the real tRPC router over a real database, called as browsers would — each
// `Browser` keeps its own cookies, and every call builds its context from them.

import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
// What the global set-up provides (the PostgreSQL server's base URL).
import type {} from '../../db/test/postgresServer.ts';
import { count, isNull } from 'drizzle-orm';
import {
	agents,
	events,
	invitations,
	queues,
	loginSessions,
	openDatabase,
	participants,
	reps,
	sessionFiles,
	siteSettings,
	supportSessions,
	type DatabaseHandle,
} from '@tandem/db';
import { freshDatabase, type DatabaseKind } from '@tandem/db/testing';
import type { NumberGuessPolicy } from '../src/service/numberGuessLimiter.ts';
import type { MailConfig } from '../src/mail/mailer.ts';
import type { MediaPort } from '../src/media/mediaPort.ts';
import { historyDownload, reportDownload } from '../src/reports/reportDownloads.ts';
import { createServices, type Services } from '../src/services.ts';
import type { SessionNumber } from '../src/session/sessionNumber.ts';
import type { Clock } from '../src/time/clock.ts';
import { createContext } from '../src/trpc/context.ts';
import { appRouter, createCaller } from '../src/trpc/root.ts';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { TRPCError } from '@trpc/server';
import { TandemError, type ErrorCode } from '../src/refusal.ts';
import type { FeedItem } from '../src/trpc/routers/feed.ts';

export interface World {
	services: Services;
	/** A browser; `clientAddress` is the address it calls from (all share one unless told). */
	browser(clientAddress?: string): Browser;
	/** A signed-in rep of the given kind, created by the admin. */
	rep(
		name: string,
		options?: { sessionMode?: 'single' | 'multi'; maxCustomers?: number; voiceCalls?: boolean; isAdmin?: boolean; language?: 'en' | 'sr' },
	): Promise<Browser>;
	admin: Browser;
	/** A second Tandem node over the same database (PostgreSQL only): shares nothing in-process. */
	secondNode(): Promise<World>;
	close(): Promise<void>;
}

export class Browser {
	readonly cookies = new Map<string, string>();
	private readonly services: Services;
	private readonly clientAddress: string | undefined;
	constructor(services: Services, clientAddress?: string) {
		this.services = services;
		this.clientAddress = clientAddress;
	}

	private cookieHeader(): string {
		return [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
	}

	async api() {
		const req = new Request('http://127.0.0.1/console/api/trpc', { headers: { cookie: this.cookieHeader() } });
		const resHeaders = new Headers();
		const ctx = await createContext(this.services, {
			req,
			resHeaders,
			...(this.clientAddress ? { clientAddress: this.clientAddress } : {}),
		});
		const store = (name: string, value: string, maxAge: number) => (maxAge > 0 ? this.cookies.set(name, value) : this.cookies.delete(name));
		ctx.setCookie = (name, value, o) => store(name, value, o?.maxAgeSeconds ?? 1);
		ctx.clearCookie = (name) => store(name, '', 0);
		return createCaller(ctx);
	}

	/**
	 * A request to the console's file routes (/console/api/files…) with this browser's cookies, handed to core
	 * as those routes' thin shells hand it: `<id>/content` to the download, anything else to tus.
	 */
	async files(method: string, path: string, init: { headers?: Record<string, string>; body?: BodyInit | null } = {}): Promise<Response> {
		const cookie = this.cookieHeader();
		const req = new Request(`http://127.0.0.1${path}`, {
			method,
			headers: { ...init.headers, ...(cookie ? { cookie } : {}) },
			body: init.body ?? null,
			duplex: 'half',
		} as RequestInit);
		const ctx = await createContext(this.services, {
			req,
			resHeaders: new Headers(),
			...(this.clientAddress ? { clientAddress: this.clientAddress } : {}),
		});
		const download = /^\/console\/api\/files\/([^/]+)\/content$/.exec(path);
		return download ? this.services.files.download(req, ctx, download[1]!) : this.services.files.handleTus(req, ctx);
	}
}

/**
 * A GET of the console's report downloads (/console/api/reports…) with these cookies, handed to core as
 * those routes' thin shells hand it.
 */
export async function reportGet(browser: Browser, services: Services, path: string): Promise<Response> {
	const url = new URL(`http://127.0.0.1${path}`);
	const cookie = [...browser.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
	const req = new Request(url, { headers: cookie ? { cookie } : {} });
	const ctx = await createContext(services, { req, resHeaders: new Headers() });
	const one = /^\/console\/api\/reports\/([^/]+)$/.exec(url.pathname);
	return one ? reportDownload(services.reports, ctx.rep, one[1]!, url) : historyDownload(services.reports, ctx.rep, url);
}

export interface WorldOptions {
	lifeline?: { goodbyeMs?: number; gracePeriodMs?: () => Promise<number> };
	/** Wrong-number limits; tests not about them get generous ones (every browser here is one client). */
	numberGuesses?: NumberGuessPolicy;
	/** Tandem's e-mail: an SMTP server, or (default) an outbox folder of its own. */
	mail?: Partial<MailConfig>;
	/** The clock of every rule and deadline (the system clock when absent). */
	clock?: Clock;
	/** Where recordings are (a temporary folder of the services' own when absent). */
	recordingsDir?: string;
	/** Where transferred files are stored (a temporary folder of the services' own when absent). */
	filesDir?: string;
	/** Which session numbers are drawn (random when absent). */
	drawSessionNumber?: () => SessionNumber;
	/** The media plane (none when absent: media calls are refused as unavailable). */
	media?: MediaPort;
	/** The audit's checkpoint folder (none when absent: no checkpoints). */
	auditDir?: string;
	/** Outbound webhooks: private addresses allowed (a receiver on loopback), the server's other own origins. */
	webhooks?: { allowPrivateAddresses?: boolean; ownOrigins?: readonly string[] };
}

export async function world(kind: DatabaseKind, options: WorldOptions = {}): Promise<World> {
	const handle = await freshDatabase(kind, kind === 'postgres' ? inject('postgresBaseUrl') : undefined);
	const auditKey = randomBytes(32);
	const w = await worldOn(handle, auditKey, options);
	await (await w.admin.api()).auth.createFirstAdmin({ name: 'Admin', email: 'admin@example.com', password: 'admin-password' });
	return w;
}

/** Tandem over an existing database (a second node, or a database migrated from an older release). */
export async function worldOn(handle: DatabaseHandle, auditKey: Buffer, options: WorldOptions = {}): Promise<World> {
	const services = createServices(
		handle.db,
		handle.kind,
		{
			publicUrl: 'http://127.0.0.1:3000',
			auditKey,
			lockout: { freeAttempts: 3, baseLockSeconds: 60 },
			numberGuesses: options.numberGuesses ?? { freeAttempts: 1_000_000, backoffBaseMs: 1, backoffMaxMs: 1 },
			helpRate: { burst: 1_000_000, perSecond: 1_000_000 },
			...(options.lifeline ? { lifeline: options.lifeline } : {}),
			mail: { from: 'Tandem <tandem@example.com>', outboxDir: mkdtempSync(join(tmpdir(), 'tandem-outbox-')), ...options.mail },
			...(options.clock ? { clock: options.clock, timeByHand: true } : {}),
			...(options.recordingsDir ? { recordingsDir: options.recordingsDir } : {}),
			...(options.filesDir ? { filesDir: options.filesDir } : {}),
			...(options.drawSessionNumber ? { drawSessionNumber: options.drawSessionNumber } : {}),
			...(options.auditDir ? { audit: { dir: options.auditDir } } : {}),
			...(options.webhooks ? { webhooks: options.webhooks } : {}),
		},
		options.media ?? null,
	);
	await services.open();
	const admin = new Browser(services);
	let n = 0;
	return {
		services,
		admin,
		browser: (clientAddress) => new Browser(services, clientAddress),
		async rep(name, options = {}) {
			const email = `${name.toLowerCase()}-${++n}@example.com`;
			await (await admin.api()).admin.createRep({ name, email, password: 'rep-password', ...options });
			const b = new Browser(services);
			await (await b.api()).auth.signIn({ email, password: 'rep-password' });
			return b;
		},
		async secondNode() {
			if (!handle.url) throw new Error('a second node needs PostgreSQL');
			const other = await worldOn(await openDatabase({ url: handle.url }), auditKey, options);
			for (const [k, v] of admin.cookies) other.admin.cookies.set(k, v);
			return other;
		},
		close: async () => {
			await services.close();
			await handle.close();
		},
	};
}

/** A request to the API over HTTP, through the same fetch handler the console mounts (batching, errors as sent). */
export function overHttp(services: Services, req: Request): Promise<Response> {
	return fetchRequestHandler({
		endpoint: '/console/api/trpc',
		req,
		router: appRouter,
		createContext: ({ req, resHeaders }) => createContext(services, { req, resHeaders }),
	});
}

/** The Tandem error code a call was refused with (fails the test when it was not refused). */
export async function refusalOf(call: Promise<unknown>): Promise<ErrorCode | string> {
	try {
		await call;
	} catch (error) {
		if (error instanceof TRPCError) {
			if (error.cause instanceof TandemError) return error.cause.code;
			if (error.code === 'BAD_REQUEST') return 'invalidInput';
			return error.code;
		}
		throw error;
	}
	throw new Error('expected the call to be refused, but it succeeded');
}

/**
 * What a refused call must not have changed, as one comparable string: the log, sessions and their
 * projections, people, open invitations, reps, logins, the site's settings, queues and agents' states.
 */
export async function fingerprint(services: Services): Promise<string> {
	const db = services.db;
	const counts = await Promise.all(
		[events, supportSessions, participants, loginSessions, sessionFiles].map(
			async (table) => (await db.select({ n: count() }).from(table))[0]!.n,
		),
	);
	const open = await db.select({ n: count() }).from(invitations).where(isNull(invitations.revokedAt));
	const sessions = await db
		.select({ id: supportSessions.id, version: supportSessions.version, status: supportSessions.status })
		.from(supportSessions)
		.orderBy(supportSessions.id);
	const people = await db
		.select({
			id: reps.id,
			name: reps.name,
			isAdmin: reps.isAdmin,
			isAgent: reps.isAgent,
			agentCapacity: reps.agentCapacity,
			disabled: reps.disabled,
			language: reps.language,
		})
		.from(reps)
		.orderBy(reps.id);
	const settings = await db.select().from(siteSettings);
	const lines = await db.select({ id: queues.id, version: queues.version }).from(queues).orderBy(queues.id);
	const agentStates = await db.select({ repId: agents.repId, version: agents.version }).from(agents).orderBy(agents.repId);
	return JSON.stringify({ counts, open, sessions, people, settings, lines, agentStates });
}

/** The next items of an open feed, after `act`, until `done` says enough (stuck for 5 s: an error listing them). */
export async function feedUntil(browser: Browser, as: 'rep' | 'customer', act: () => Promise<void>, done: (items: FeedItem[]) => boolean) {
	const iterator = (await (await browser.api()).feed.events({ as }))[Symbol.asyncIterator]();
	await iterator.next(); // the snapshot
	const items: FeedItem[] = [];
	await act();
	while (!done(items)) {
		const next = (
			await Promise.race([
				iterator.next(),
				new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`stuck after ${JSON.stringify(items)}`)), 5_000)),
			])
		).value as unknown;
		items.push((Array.isArray(next) ? next[1] : ((next as { data?: unknown }).data ?? next)) as FeedItem);
	}
	await iterator.return?.();
	return items;
}
