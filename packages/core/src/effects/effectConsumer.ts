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

export interface Effect {
	/** The cursor's name: stable across releases. */
	readonly name: string;
	/** Deals with a batch of events in log order; resolves when every one is dealt with. */
	handle(events: LoggedEvent[]): Promise<void>;
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
		if (this.holding) await this.options.lease.release().catch(() => undefined);
	}

	/** One pass: when this node holds the lease, deal with every event after the cursor. Returns how many. */
	async catchUp(): Promise<number> {
		if (this.options.paused?.()) return 0;
		if (!(await this.holdLease())) return 0;
		let total = 0;
		for (;;) {
			const position = await this.cursor();
			const batch = await eventsAfter(this.options.db, position, { limit: this.options.batchSize ?? 200 });
			if (batch.length === 0) return total;
			await this.options.effect.handle(batch);
			await this.moveCursor(batch.at(-1)!.id);
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
		return this.holding;
	}

	private async cursor(): Promise<number> {
		const [row] = await this.options.db
			.select({ position: effectCursors.position })
			.from(effectCursors)
			.where(eq(effectCursors.name, this.name));
		if (row) return row.position;
		// A new effect starts at the log's end: the past's effects, if any were due, were another code's.
		const position = await logPosition(this.options.db);
		await this.options.db.insert(effectCursors).values({ name: this.name, position }).onConflictDoNothing();
		return position;
	}

	private async moveCursor(position: number): Promise<void> {
		await this.options.db.update(effectCursors).set({ position, updatedAt: new Date() }).where(eq(effectCursors.name, this.name));
	}
}
