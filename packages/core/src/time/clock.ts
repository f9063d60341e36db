// Time is a port (ARCHITECTURE principle 11): every rule and deadline that depends on time asks a clock,
// and tests move a fake one instead of sleeping.

export interface Clock {
	/** Milliseconds since the epoch. */
	now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that stands still until moved. */
export class FakeClock implements Clock {
	private at: number;
	constructor(start = Date.UTC(2026, 11, 1, 9, 0, 0)) {
		this.at = start;
	}
	now(): number {
		return this.at;
	}
	advance(ms: number): void {
		this.at += ms;
	}
}
