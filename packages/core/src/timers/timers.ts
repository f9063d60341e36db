// Deadlines that fire once across nodes (ARCHITECTURE principle 6): a timer is a row with a key, a kind, a
// payload and a due time. Every node polls; the one whose update claims a due row fires it, and deletes it
// when its handler is done. A claim left by a node that died before finishing is taken again after a
// while, so a timer fires at least once — and handlers are written so that a second firing does nothing.

import { and, eq, sql } from 'drizzle-orm';
import { timers, type Database } from '@tandem/db';
import type { Tx } from '../service/repLoad.ts';
import type { Clock } from '../time/clock.ts';

export type TimerHandler = (payload: unknown, key: string) => Promise<void>;

/** A claim older than this is a node that died while firing: the timer is taken again. */
const CLAIM_EXPIRES_MS = 60_000;

export interface TimersOptions {
	db: Database;
	clock: Clock;
	nodeId: string;
	/** How often this node looks for due timers (ms). */
	pollMs?: number;
}

export class Timers {
	private readonly options: TimersOptions;
	private readonly handlers = new Map<string, TimerHandler>();
	private loop: ReturnType<typeof setInterval> | null = null;
	private firing: Promise<number> | null = null;

	constructor(options: TimersOptions) {
		this.options = options;
	}

	/** What to do when a timer of this kind is due. */
	on(kind: string, handler: TimerHandler): void {
		this.handlers.set(kind, handler);
	}

	/** Arms the timer `key` (replacing one of the same key) to fire at `dueAt`. */
	async schedule(key: string, kind: string, payload: unknown, dueAt: number, db: Tx = this.options.db): Promise<void> {
		const row = { key, kind, payload: payload as Record<string, unknown>, dueAt: new Date(dueAt), claimedBy: null, claimedAt: null };
		await db
			.insert(timers)
			.values(row)
			.onConflictDoUpdate({
				target: timers.key,
				set: { kind: row.kind, payload: row.payload, dueAt: row.dueAt, claimedBy: null, claimedAt: null },
			});
	}

	async cancel(key: string, db: Tx = this.options.db): Promise<void> {
		await db.delete(timers).where(eq(timers.key, key));
	}

	async pending(key: string): Promise<{ kind: string; dueAt: number } | null> {
		const [row] = await this.options.db.select().from(timers).where(eq(timers.key, key));
		return row ? { kind: row.kind, dueAt: row.dueAt.getTime() } : null;
	}

	/** Fires every due timer this node can claim; returns how many it fired. */
	fireDue(): Promise<number> {
		// One pass at a time on this node (the loop and a test may both ask).
		this.firing ??= this.fireNow().finally(() => (this.firing = null));
		return this.firing;
	}

	private async fireNow(): Promise<number> {
		const { db, clock, nodeId } = this.options;
		const now = new Date(clock.now());
		const stale = new Date(clock.now() - CLAIM_EXPIRES_MS);
		const claimed = await db
			.update(timers)
			.set({ claimedBy: nodeId, claimedAt: now })
			.where(
				sql`${timers.key} in (select ${timers.key} from ${timers} where ${timers.dueAt} <= ${now} and (${timers.claimedAt} is null or ${timers.claimedAt} < ${stale}) order by ${timers.dueAt} limit 50 for update skip locked)`,
			)
			.returning();
		let fired = 0;
		for (const timer of claimed) {
			const handler = this.handlers.get(timer.kind);
			try {
				if (handler) await handler(timer.payload, timer.key);
				else console.error(`timers: no handler for ${timer.kind} (${timer.key}); dropped`);
				fired++;
			} catch (error) {
				// Left claimed: it is taken again once the claim is stale.
				console.error(`timers: ${timer.kind} (${timer.key}) failed; it will be tried again`, error);
				continue;
			}
			// Only this claim's row: a timer armed again meanwhile stays.
			await db.delete(timers).where(and(eq(timers.key, timer.key), eq(timers.claimedBy, nodeId), eq(timers.claimedAt, now)));
		}
		return fired;
	}

	/** Polls for due timers until closed. */
	start(): void {
		if (this.loop) return;
		this.loop = setInterval(() => {
			void this.fireDue().catch((error: unknown) => console.error('timers: could not look for due timers', error));
		}, this.options.pollMs ?? 250);
		this.loop.unref?.();
	}

	async close(): Promise<void> {
		if (this.loop) clearInterval(this.loop);
		this.loop = null;
		await this.firing?.catch(() => undefined);
	}
}
