// Side effects follow events, durably (ARCHITECTURE principle 4): an effect is a consumer of the event log
// with a stored cursor. It reads the events after its cursor, deals with them, and moves the cursor — so
// after a crash it resumes from where it stopped and nothing committed is ever missed. It may see an event
// twice (a crash between the work and the cursor), so what it does must be idempotent. Exactly one node
// runs each effect: the holder of its lease. Its own failures it records (as events, in the log), never
// swallows; this loop only moves on.

import { eq } from 'drizzle-orm';
import { effectCursors, type Database } from '@tandem/db';
import { eventsAfter, logPosition, type LoggedEvent } from '../log/eventLog.ts';
import type { Lease } from './lease.ts';

/** How long the stored cursor may lag behind over batches the effect had nothing to do for (ms). */
const LAZY_CURSOR_MS = 1_000;

export interface Effect {
	/** The cursor's name: stable across releases. */
	readonly name: string;
	/**
	 * Deals with a batch of events in log order; resolves when every one is dealt with, saying whether it did
	 * anything (a batch it had nothing to do for moves the stored cursor lazily: seeing it again is harmless).
	 */
	handle(events: LoggedEvent[]): Promise<boolean>;
}

export interface EffectConsumerOptions {
	db: Database;
	effect: Effect;
	lease: Lease;
	/** How often to look for new events when nothing wakes the consumer (events committed on other nodes). */
	pollMs?: number;
	batchSize?: number;
	/** Tests only: while it answers true the consumer waits (a crash can then come between commit and effect). */
	paused?: () => boolean;
}

export class EffectConsumer {
	private readonly options: EffectConsumerOptions;
	private running: Promise<void> | null = null;
	private stopped = false;
	private wakeUp: (() => void) | null = null;
	private woken = false;
	private lastLeaseCheck = 0;
	private holding = false;
	/** Where this node's reading is: known while it holds the lease (nobody else moves the cursor then). */
	private position: number | null = null;
	/** The stored cursor's value, when it lags behind `position` (only batches with nothing done). */
	private stored: number | null = null;
	private lastStored = 0;

	constructor(options: EffectConsumerOptions) {
		this.options = options;
	}

	get name(): string {
		return this.options.effect.name;
	}

	/** Something was committed: look now rather than at the next poll. */
	wake(): void {
		this.woken = true;
		this.wakeUp?.();
	}

	start(): void {
		this.running ??= this.loop();
	}

	async close(): Promise<void> {
		this.stopped = true;
		this.wakeUp?.();
		await this.running;
		if (this.holding) {
			await this.storeCursor().catch((error: unknown) => console.error(`effect ${this.name}: could not store the cursor`, error));
			await this.options.lease.release().catch(() => undefined);
		}
	}

	/** One pass: when this node holds the lease, deal with every event after the cursor. Returns how many. */
	async catchUp(): Promise<number> {
		if (this.options.paused?.()) return 0;
		if (!(await this.holdLease())) return 0;
		let total = 0;
		for (;;) {
			const position = await this.cursor();
			const batch = await eventsAfter(this.options.db, position, { limit: this.options.batchSize ?? 200 });
			if (batch.length === 0) {
				if (this.stored !== this.position && Date.now() - this.lastStored > LAZY_CURSOR_MS) await this.storeCursor();
				return total;
			}
			const acted = await this.options.effect.handle(batch);
			this.position = batch.at(-1)!.id;
			if (acted || Date.now() - this.lastStored > LAZY_CURSOR_MS) await this.storeCursor();
			total += batch.length;
			if (this.stopped || this.options.paused?.() || !(await this.holdLease())) return total;
		}
	}

	private async loop(): Promise<void> {
		while (!this.stopped) {
			this.woken = false;
			try {
				await this.catchUp();
			} catch (error) {
				console.error(`effect ${this.name}: a pass failed; trying again`, error);
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

	/** Renewed at most every few seconds while busy; a node that dies lets it run out. */
	private async holdLease(): Promise<boolean> {
		const now = Date.now();
		if (this.holding && now - this.lastLeaseCheck < 3_000) return true;
		this.holding = await this.options.lease.hold();
		this.lastLeaseCheck = now;
		// Another node may have moved the cursor while this one did not hold the lease.
		if (!this.holding) this.position = this.stored = null;
		return this.holding;
	}

	private async cursor(): Promise<number> {
		if (this.position !== null) return this.position;
		const [row] = await this.options.db
			.select({ position: effectCursors.position })
			.from(effectCursors)
			.where(eq(effectCursors.name, this.name));
		if (row) {
			this.position = this.stored = row.position;
			return row.position;
		}
		// A new effect starts at the log's end: the past's effects, if any were due, were another code's.
		const position = await logPosition(this.options.db);
		await this.options.db.insert(effectCursors).values({ name: this.name, position }).onConflictDoNothing();
		this.position = this.stored = position;
		return position;
	}

	private async storeCursor(): Promise<void> {
		const position = this.position;
		if (position === null || position === this.stored) return;
		await this.options.db.update(effectCursors).set({ position, updatedAt: new Date() }).where(eq(effectCursors.name, this.name));
		this.stored = position;
		this.lastStored = Date.now();
	}
}
