// Time is a port (ARCHITECTURE principle 11): every rule and deadline that depends on time asks a clock,
// and tests move a fake one instead of sleeping.

export interface Clock {
	/** Milliseconds since the epoch. */
	now(): number;
	/** Resolves once `ms` have passed on this clock (the system's timers when absent). */
	sleep?(ms: number): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Waits `ms` on the clock: a fake clock's waits end when a test moves it past them. */
export const sleepOn = (clock: Clock, ms: number): Promise<void> =>
	clock.sleep ? clock.sleep(ms) : new Promise((resolve) => setTimeout(resolve, ms));

/** A clock that stands still until moved. */
export class FakeClock implements Clock {
	private at: number;
	private sleepers: { until: number; wake: () => void }[] = [];
	constructor(start = Date.UTC(2026, 11, 1, 9, 0, 0)) {
		this.at = start;
	}
	now(): number {
		return this.at;
	}
	advance(ms: number): void {
		this.at += ms;
		const due = this.sleepers.filter((s) => s.until <= this.at);
		this.sleepers = this.sleepers.filter((s) => s.until > this.at);
		for (const s of due) s.wake();
	}
	sleep(ms: number): Promise<void> {
		if (ms <= 0) return Promise.resolve();
		return new Promise((wake) => this.sleepers.push({ until: this.at + ms, wake }));
	}
	/** How many waits have not ended yet (a test's way to see that a call is being held). */
	get sleeping(): number {
		return this.sleepers.length;
	}
}
