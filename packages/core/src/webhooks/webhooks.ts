// Outbound webhooks (issue 11: event export for other systems), as an administrator manages them: register an
// address (its signing secret is shown once, then never again), list them with how their deliveries go,
// remove one, retry one that failed. Each change is written to the one log in its own transaction (SPEC §10:
// audited), never with the secret. What is delivered, and how, is webhookDelivery.ts's.

import { randomBytes, randomUUID } from 'node:crypto';
import { and, asc, eq, ne } from 'drizzle-orm';
import { effectCursors, webhooks, type Database } from '@tandem/db';
import type { AdminRecord } from '../auth/repAccounts.ts';
import { logPosition } from '../log/eventLog.ts';
import { refuse } from '../refusal.ts';
import type { Clock } from '../time/clock.ts';
import { checkWebhookAddress, type WebhookAddressPolicy } from './webhookAddress.ts';

export type WebhookRow = typeof webhooks.$inferSelect;

/** A webhook as admins see it: never its secret. */
export interface WebhookView {
	id: string;
	url: string;
	status: 'active' | 'failed';
	createdAt: number;
	/** The first failure of the current run of failures (null while deliveries succeed). */
	failingSince: number | null;
	/** Failed attempts in the current run. */
	attempts: number;
	nextAttemptAt: number | null;
	/** The last failure, in a few words: `HTTP 500`, `ECONNREFUSED`, `timed out`. */
	lastError: string | null;
	lastDeliveredAt: number | null;
}

/** What the log keeps of a webhook's life (never its secret). */
export type WebhookEvent =
	| { type: 'webhook.registered'; at: number; webhookId: string; url: string }
	| { type: 'webhook.removed'; at: number; webhookId: string; url: string }
	| { type: 'webhook.retried'; at: number; webhookId: string; url: string }
	| { type: 'webhook.failed'; at: number; webhookId: string; url: string; failingSince: number; attempts: number; lastError: string };

/** The effect cursor of a webhook's deliveries. */
export const webhookCursor = (webhookId: string) => `webhook:${webhookId}`;
/** The log's aggregate of a webhook's admin events (kind 'site'). */
export const webhookAggregate = (webhookId: string) => `webhook:${webhookId}`;

const time = (d: Date | null) => d?.getTime() ?? null;

export const webhookView = (r: WebhookRow): WebhookView => ({
	id: r.id,
	url: r.url,
	status: r.status === 'failed' ? 'failed' : 'active',
	createdAt: r.createdAt.getTime(),
	failingSince: time(r.failingSince),
	attempts: r.attempts,
	nextAttemptAt: time(r.nextAttemptAt),
	lastError: r.lastError,
	lastDeliveredAt: time(r.lastDeliveredAt),
});

export interface WebhooksOptions {
	db: Database;
	clock: Clock;
	record: AdminRecord;
	address: WebhookAddressPolicy;
	/** A webhook was registered or retried: deliveries may start. */
	changed?: () => void;
}

export class Webhooks {
	private readonly options: WebhooksOptions;

	constructor(options: WebhooksOptions) {
		this.options = options;
	}

	/**
	 * Registers an address; the answer carries its signing secret, the only time it is shown. The webhook
	 * receives the events from its registration on, its own `webhook.registered` first.
	 */
	async register(by: string, typed: string): Promise<{ webhook: WebhookView; secret: string }> {
		const url = await checkWebhookAddress(typed, this.options.address);
		const id = randomUUID();
		const secret = randomBytes(32).toString('base64url');
		const at = this.options.clock.now();
		const row = await this.options.db.transaction(async (tx) => {
			// Every event after this position is delivered: one committing now gets a later id (eventLog.ts).
			const position = await logPosition(tx);
			const [created] = await tx
				.insert(webhooks)
				.values({ id, url: url.href, secret, status: 'active', createdAt: new Date(at), createdByRepId: by })
				.returning();
			await tx.insert(effectCursors).values({ name: webhookCursor(id), position });
			await this.record(tx, by, id, { type: 'webhook.registered', at, webhookId: id, url: url.href });
			return created!;
		});
		this.options.changed?.();
		return { webhook: webhookView(row), secret };
	}

	/** The webhooks in use (active or failed), oldest first. */
	async list(): Promise<WebhookView[]> {
		const rows = await this.options.db
			.select()
			.from(webhooks)
			.where(ne(webhooks.status, 'removed'))
			.orderBy(asc(webhooks.createdAt), asc(webhooks.id));
		return rows.map(webhookView);
	}

	/** Stops a webhook for good: nothing more is sent to it, and its secret is forgotten. */
	async remove(by: string, id: string): Promise<void> {
		const at = this.options.clock.now();
		await this.options.db.transaction(async (tx) => {
			const [removed] = await tx
				.update(webhooks)
				.set({ status: 'removed', secret: '', nextAttemptAt: null })
				.where(and(eq(webhooks.id, id), ne(webhooks.status, 'removed')))
				.returning();
			if (!removed) return refuse('webhookNotFound');
			await tx.delete(effectCursors).where(eq(effectCursors.name, webhookCursor(id)));
			await this.record(tx, by, id, { type: 'webhook.removed', at, webhookId: id, url: removed.url });
		});
	}

	/** A failed webhook is tried again, from where its deliveries stopped (no event is skipped). */
	async retry(by: string, id: string): Promise<WebhookView> {
		const at = this.options.clock.now();
		const row = await this.options.db.transaction(async (tx) => {
			const [retried] = await tx
				.update(webhooks)
				.set({ status: 'active', attempts: 0, failingSince: null, nextAttemptAt: null, lastError: null })
				.where(and(eq(webhooks.id, id), eq(webhooks.status, 'failed')))
				.returning();
			if (!retried) {
				const [there] = await tx.select({ status: webhooks.status }).from(webhooks).where(eq(webhooks.id, id));
				return refuse(!there || there.status === 'removed' ? 'webhookNotFound' : 'webhookNotFailed');
			}
			await this.record(tx, by, id, { type: 'webhook.retried', at, webhookId: id, url: retried.url });
			return retried;
		});
		this.options.changed?.();
		return webhookView(row);
	}

	private record(tx: Parameters<AdminRecord>[0], by: string, id: string, event: WebhookEvent): Promise<void> {
		return this.options.record(tx, { kind: 'site', id: webhookAggregate(id), by, event });
	}
}
