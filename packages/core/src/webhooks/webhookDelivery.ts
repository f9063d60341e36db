// Delivering the event log to the webhooks (issue 11), an effect in the sense of ARCHITECTURE principle 4:
// each webhook is a consumer of the log with its own stored cursor (`webhook:<id>`). Its events are POSTed one
// at a time, in the log's order — which is each session's order — as signed JSON; the cursor moves past an
// event only once the receiver answered 2xx, in the same transaction that clears the failure state, so after a
// crash the delivery resumes at the first event not acknowledged (it may come twice: receivers deduplicate by
// `tandem-event-id`; none is ever skipped). A failure is tried again after a back-off (1 s doubling, at most
// 5 min, on the clock port); after 24 h of failures the webhook is marked failed (an event of the log) and is
// no longer tried until an admin retries it. Each webhook advances on its own, concurrently: a slow or dead
// receiver never holds the others up. One node delivers: the holder of the lease.

import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { and, asc, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import { effectCursors, events, webhooks, type Database } from '@tandem/db';
import type { AdminRecord } from '../auth/repAccounts.ts';
import type { Lease } from '../effects/lease.ts';
import { logPosition } from '../log/eventLog.ts';
import type { Clock } from '../time/clock.ts';
import { checkedLookup, refusalOfLiteralAddress, type WebhookAddressPolicy } from './webhookAddress.ts';
import { webhookAggregate, webhookCursor, type WebhookRow } from './webhooks.ts';

/** After failing this long without a success, a webhook is marked failed. */
export const WEBHOOK_GIVE_UP_MS = 24 * 3_600_000;
/** The longest wait between two attempts. */
export const WEBHOOK_MAX_BACKOFF_MS = 5 * 60_000;

/** The wait after the n-th failure in a row: 1 s, 2 s, 4 s, … at most 5 min. */
export const webhookBackoffMs = (failures: number): number =>
	Math.min(1_000 * 2 ** Math.min(Math.max(failures - 1, 0), 20), WEBHOOK_MAX_BACKOFF_MS);

/** What a webhook receives: one event of the log. */
export interface WebhookPayload {
	/** The event's position in the log (global, increasing): the receiver's key to deduplicate. */
	id: number;
	kind: string;
	aggregateId: string;
	/** 1, 2, 3… within the aggregate (a session's own order). */
	seq: number;
	type: string;
	/** When it happened (ISO 8601). */
	at: string;
	/** Who caused it: `rep:<id>`, `customer:<participant id>`, `system`. */
	actor: string;
	payload: unknown;
}

/** The `tandem-signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>`. */
export function webhookSignature(secret: string, unixSeconds: number, body: string): string {
	const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
	return `t=${unixSeconds},v1=${mac}`;
}

export interface WebhookDeliveryOptions {
	db: Database;
	clock: Clock;
	lease: Lease;
	record: AdminRecord;
	address: WebhookAddressPolicy;
	/** How often to look for events committed elsewhere and attempts that fell due (ms, real time). */
	pollMs?: number;
	/** How long a receiver has to answer (ms, real time). */
	timeoutMs?: number;
	/** Events read from the log at once, per webhook. */
	batchSize?: number;
	/** Tests only: while it answers true nothing is delivered. */
	paused?: () => boolean;
}

type Outcome = { delivered: true } | { delivered: false; error: string } | 'stopped';

export class WebhookDelivery {
	private readonly options: WebhookDeliveryOptions;
	private readonly closing = new AbortController();
	private readonly agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
	/** Each webhook's delivery in progress; `again`: something new came while it ran. */
	private readonly working = new Map<string, { again: boolean; done: Promise<void> }>();
	private running: Promise<void> | null = null;
	private stopped = false;
	private woken = false;
	private wakeUp: (() => void) | null = null;
	private holding = false;
	private lastLeaseCheck = 0;
	private leaseCheck: Promise<boolean> | null = null;

	constructor(options: WebhookDeliveryOptions) {
		this.options = options;
	}

	/** Something was committed, or a webhook was registered or retried: look now. */
	wake(): void {
		this.woken = true;
		this.wakeUp?.();
	}

	start(): void {
		this.running ??= this.loop();
	}

	/** Stops: requests in flight are abandoned (their events are delivered again by whoever goes on). */
	async close(): Promise<void> {
		if (this.stopped) return;
		this.stopped = true;
		this.closing.abort();
		this.wakeUp?.();
		await this.running;
		await Promise.all([...this.working.values()].map((w) => w.done));
		if (this.holding) await this.options.lease.release().catch(() => undefined);
		this.agents.http.destroy();
		this.agents.https.destroy();
	}

	/**
	 * One pass, as the loop makes it but waited for: each active webhook that is due gets what it has not
	 * had; resolves when every one has got all it can now (tests, with a fake clock).
	 */
	async deliverDue(): Promise<void> {
		await Promise.all(await this.startDue());
	}

	private async loop(): Promise<void> {
		while (!this.stopped) {
			this.woken = false;
			try {
				// Not waited for: a slow receiver must not delay the next look for the others.
				await this.startDue();
			} catch (error) {
				console.error('webhooks: a pass failed; trying again', error);
			}
			if (this.stopped || this.woken) continue;
			await new Promise<void>((resolve) => {
				const timer = setTimeout(resolve, this.options.pollMs ?? 1_000);
				this.wakeUp = () => {
					clearTimeout(timer);
					resolve();
				};
			});
			this.wakeUp = null;
		}
	}

	/** Starts the delivery of every active webhook that is due and behind the log; their promises. */
	private async startDue(): Promise<Promise<void>[]> {
		if (this.stopped || this.options.paused?.()) return [];
		const { db, clock } = this.options;
		const due = await db
			.select({ id: webhooks.id, position: effectCursors.position })
			.from(webhooks)
			.leftJoin(effectCursors, eq(effectCursors.name, webhookCursorSql()))
			.where(and(eq(webhooks.status, 'active'), or(isNull(webhooks.nextAttemptAt), lte(webhooks.nextAttemptAt, new Date(clock.now())))));
		if (due.length === 0 || !(await this.holdLease())) return [];
		const end = await logPosition(db);
		return due.filter((w) => w.position === null || w.position < end).map((w) => this.deliver(w.id));
	}

	/** The webhook's delivery: started, or (when it runs already) told to look again before it ends. */
	private deliver(id: string): Promise<void> {
		const current = this.working.get(id);
		if (current) {
			current.again = true;
			return current.done;
		}
		const work = { again: false, done: Promise.resolve() };
		work.done = (async () => {
			try {
				do {
					work.again = false;
					await this.deliverTo(id);
				} while (work.again && !this.stopped);
			} catch (error) {
				console.error(`webhooks: delivery to ${id} failed; trying again`, error);
			} finally {
				this.working.delete(id);
			}
		})();
		this.working.set(id, work);
		return work.done;
	}

	/** Sends the webhook its events after its cursor, one by one, until none is left or one fails. */
	private async deliverTo(id: string): Promise<void> {
		const { db, clock } = this.options;
		for (;;) {
			if (this.stopped || this.options.paused?.() || !(await this.holdLease())) return;
			const [hook] = await db.select().from(webhooks).where(eq(webhooks.id, id));
			if (!hook || hook.status !== 'active') return;
			if (hook.nextAttemptAt && hook.nextAttemptAt.getTime() > clock.now()) return;
			let position = await this.cursorOf(id);
			const batch = await db
				.select()
				.from(events)
				.where(gt(events.id, position))
				.orderBy(asc(events.id))
				.limit(this.options.batchSize ?? 50);
			if (batch.length === 0) return;
			for (const event of batch) {
				if (this.stopped || !(await this.holdLease())) return;
				const outcome = await this.send(hook, {
					id: event.id,
					kind: event.aggregateKind,
					aggregateId: event.aggregateId,
					seq: event.seq,
					type: event.type,
					at: event.at.toISOString(),
					actor: event.actor,
					payload: event.payload,
				});
				if (outcome === 'stopped') return;
				if (!outcome.delivered) return this.failed(hook, outcome.error);
				if (!(await this.delivered(id, position, event.id))) return;
				position = event.id;
			}
		}
	}

	/** One POST, answered or not. */
	private async send(hook: WebhookRow, event: WebhookPayload): Promise<Outcome> {
		const url = new URL(hook.url);
		const address = this.options.address;
		const refused = await refusalOfLiteralAddress(url, address);
		if (refused) return { delivered: false, error: `refused: ${refused}` };
		const body = JSON.stringify(event);
		const headers = {
			'content-type': 'application/json',
			'content-length': String(Buffer.byteLength(body)),
			'user-agent': 'Tandem-Webhooks',
			'tandem-event-id': String(event.id),
			'tandem-signature': webhookSignature(hook.secret, Math.floor(this.options.clock.now() / 1000), body),
		};
		const timeoutMs = this.options.timeoutMs ?? 10_000;
		// Aborted when the receiver takes too long to answer, or when this node stops.
		const abort = new AbortController();
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			abort.abort();
		}, timeoutMs);
		const stop = () => abort.abort();
		this.closing.signal.addEventListener('abort', stop, { once: true });
		try {
			const status = await new Promise<number>((resolve, reject) => {
				const secure = url.protocol === 'https:';
				const request = (secure ? https : http).request(url, {
					method: 'POST',
					headers,
					agent: secure ? this.agents.https : this.agents.http,
					lookup: checkedLookup(url, address),
					signal: abort.signal,
				});
				request.on('response', (response) => {
					clearTimeout(timer);
					// What it says is not read; a body that never ends is cut off.
					response.on('error', () => undefined);
					const cutOff = setTimeout(() => response.destroy(), timeoutMs);
					response.on('close', () => clearTimeout(cutOff));
					response.resume();
					resolve(response.statusCode ?? 0);
				});
				request.on('error', reject);
				request.end(body);
			});
			return status >= 200 && status < 300 ? { delivered: true } : { delivered: false, error: `HTTP ${status}` };
		} catch (error) {
			if (this.closing.signal.aborted) return 'stopped';
			if (timedOut) return { delivered: false, error: `timed out after ${Math.round(timeoutMs / 1000)} s` };
			const e = error as NodeJS.ErrnoException;
			const code = e.code ?? e.name;
			return { delivered: false, error: (code.startsWith('webhook') ? `refused: ${code}` : code).slice(0, 200) };
		} finally {
			clearTimeout(timer);
			this.closing.signal.removeEventListener('abort', stop);
		}
	}

	/**
	 * A 2xx: the cursor moves past the event and the failure state is cleared, in one transaction. The cursor
	 * moves only from where this delivery read it (a node that lost the lease cannot move it back); says
	 * whether to go on.
	 */
	private async delivered(id: string, from: number, to: number): Promise<boolean> {
		const now = new Date(this.options.clock.now());
		return this.options.db.transaction(async (tx) => {
			const moved = await tx
				.update(effectCursors)
				.set({ position: to, updatedAt: now })
				.where(and(eq(effectCursors.name, webhookCursor(id)), eq(effectCursors.position, from)))
				.returning({ position: effectCursors.position });
			if (moved.length === 0) return false;
			const still = await tx
				.update(webhooks)
				.set({ failingSince: null, attempts: 0, nextAttemptAt: null, lastError: null, lastDeliveredAt: now })
				.where(and(eq(webhooks.id, id), eq(webhooks.status, 'active')))
				.returning({ id: webhooks.id });
			return still.length > 0;
		});
	}

	/** A failure: tried again after the back-off, or — after 24 h of them — the webhook is marked failed. */
	private async failed(hook: WebhookRow, error: string): Promise<void> {
		const now = this.options.clock.now();
		await this.options.db.transaction(async (tx) => {
			const [row] = await tx
				.select()
				.from(webhooks)
				.where(and(eq(webhooks.id, hook.id), eq(webhooks.status, 'active')))
				.for('update');
			if (!row) return;
			const attempts = row.attempts + 1;
			const failingSince = row.failingSince?.getTime() ?? now;
			if (now - failingSince < WEBHOOK_GIVE_UP_MS) {
				await tx
					.update(webhooks)
					.set({
						attempts,
						failingSince: new Date(failingSince),
						lastError: error,
						nextAttemptAt: new Date(now + webhookBackoffMs(attempts)),
					})
					.where(eq(webhooks.id, hook.id));
				return;
			}
			await tx
				.update(webhooks)
				.set({ status: 'failed', attempts, failingSince: new Date(failingSince), lastError: error, nextAttemptAt: null })
				.where(eq(webhooks.id, hook.id));
			await this.options.record(tx, {
				kind: 'site',
				id: webhookAggregate(hook.id),
				by: null,
				event: { type: 'webhook.failed', at: now, webhookId: hook.id, url: row.url, failingSince, attempts, lastError: error },
			});
		});
	}

	/** Where the webhook's deliveries are; a webhook without a cursor (none should be) starts at the log's end. */
	private async cursorOf(id: string): Promise<number> {
		const { db } = this.options;
		const [row] = await db
			.select({ position: effectCursors.position })
			.from(effectCursors)
			.where(eq(effectCursors.name, webhookCursor(id)));
		if (row) return row.position;
		const position = await logPosition(db);
		await db
			.insert(effectCursors)
			.values({ name: webhookCursor(id), position })
			.onConflictDoNothing();
		const [stored] = await db
			.select({ position: effectCursors.position })
			.from(effectCursors)
			.where(eq(effectCursors.name, webhookCursor(id)));
		return stored!.position;
	}

	/** Held by this node? Renewed at most every few seconds; concurrent deliveries share one check. */
	private holdLease(): Promise<boolean> {
		if (this.holding && Date.now() - this.lastLeaseCheck < 3_000) return Promise.resolve(true);
		this.leaseCheck ??= this.options.lease
			.hold()
			.then((held) => {
				this.holding = held;
				this.lastLeaseCheck = Date.now();
				return held;
			})
			.finally(() => {
				this.leaseCheck = null;
			});
		return this.leaseCheck;
	}
}

/** `'webhook:' || webhooks.id`, to join each webhook to its cursor. */
function webhookCursorSql() {
	return sql`'webhook:' || ${webhooks.id}::text`;
}
