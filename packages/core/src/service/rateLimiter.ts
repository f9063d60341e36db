// A rate limit per caller (a token bucket): a burst is free, then calls are allowed at a steady rate, and
// a caller beyond it is refused with `tooManyRequests` and how long to wait — others are not affected.
// For calls a page makes a handful of at a time but a script could make thousands of (media: every call
// reaches the media server). In memory, per node, on the services' clock.

import { TandemError } from '../refusal.ts';

export interface RatePolicy {
	/** Calls a caller may make at once. */
	burst: number;
	/** Calls a second after that. */
	perSecond: number;
}

interface Bucket {
	tokens: number;
	at: number;
}

/** Callers remembered at most; beyond it, those whose buckets have filled up again are forgotten. */
const MAX_CALLERS = 50_000;

export class RateLimiter {
	private readonly policy: RatePolicy;
	private readonly now: () => number;
	private readonly buckets = new Map<string, Bucket>();

	constructor(policy: RatePolicy, now: () => number) {
		this.policy = policy;
		this.now = now;
	}

	/** One call of `caller`: refused with `tooManyRequests` (and the seconds to wait) beyond the limit. */
	take(caller: string): void {
		const short = this.spend(caller);
		if (short === 0) return;
		const seconds = Math.ceil(short / this.policy.perSecond);
		throw new TandemError('tooManyRequests', `more than ${this.policy.perSecond} calls a second`, { seconds });
	}

	/** One call of `caller` if the limit allows it (true), else nothing (false): for calls dropped quietly. */
	tryTake(caller: string): boolean {
		return this.spend(caller) === 0;
	}

	/** Spends one call of `caller`'s bucket; 0 when it could, else how much of a call it lacks. */
	private spend(caller: string): number {
		const now = this.now();
		const bucket = this.buckets.get(caller) ?? { tokens: this.policy.burst, at: now };
		bucket.tokens = Math.min(this.policy.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.policy.perSecond);
		bucket.at = now;
		const short = bucket.tokens < 1 ? 1 - bucket.tokens : 0;
		if (short === 0) bucket.tokens -= 1;
		this.buckets.delete(caller); // re-inserted last: the map stays in order of last use
		this.buckets.set(caller, bucket);
		if (this.buckets.size > MAX_CALLERS) this.forgetFull(now);
		return short;
	}

	/** Callers remembered now (a bench reads it). */
	get size(): number {
		return this.buckets.size;
	}

	private forgetFull(now: number): void {
		const refill = (this.policy.burst / this.policy.perSecond) * 1000;
		for (const [caller, bucket] of this.buckets) {
			if (now - bucket.at < refill && this.buckets.size <= MAX_CALLERS) break;
			this.buckets.delete(caller);
		}
	}
}
