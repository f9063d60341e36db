// Session-number guessing is limited per client (SPEC §11): a few wrong numbers are free, then each
// further wrong number makes that client wait twice as long as the one before (capped), and while it
// waits every number it types is refused — a right one too. Other clients are not affected.
// State is in memory, per node: a restart forgets it, which costs a scanner nothing it could not get
// by waiting out the forget window anyway.

import { TandemError } from '../refusal.ts';

export interface NumberGuessPolicy {
	/** Wrong numbers a client may type before the first wait. */
	freeAttempts: number;
	/** The first wait; each further wrong number doubles it. */
	backoffBaseMs: number;
	/** The longest wait. */
	backoffMaxMs: number;
	/** A client with no wrong number for this long starts afresh (default 24 h). */
	forgetAfterMs?: number;
}

export const defaultNumberGuessPolicy: Required<NumberGuessPolicy> = {
	freeAttempts: 5,
	backoffBaseMs: 1_000,
	backoffMaxMs: 3_600_000,
	forgetAfterMs: 24 * 3_600_000,
};

interface ClientRecord {
	misses: number;
	lastMissAt: number;
	blockedUntil: number;
}

/** Clients remembered at most; beyond it the least recently wrong are forgotten first. */
const MAX_CLIENTS = 100_000;

export class NumberGuessLimiter {
	private readonly policy: Required<NumberGuessPolicy>;
	private readonly now: () => number;
	private readonly clients = new Map<string, ClientRecord>();

	constructor(policy: NumberGuessPolicy = defaultNumberGuessPolicy, now: () => number = Date.now) {
		this.policy = { ...defaultNumberGuessPolicy, ...policy };
		this.now = now;
	}

	/** How long this client must still wait before it may type a number, in ms (0: it may). */
	waitMs(clientId: string): number {
		const record = this.current(clientId);
		return record ? Math.max(0, record.blockedUntil - this.now()) : 0;
	}

	/** Refuses the attempt while the client waits: `tooManyWrongNumbers`, with the seconds left. */
	check(clientId: string): void {
		const wait = this.waitMs(clientId);
		if (wait > 0) throw tooMany(wait);
	}

	/**
	 * A wrong number from this client. Returns the wait it now has (0 while misses are still free);
	 * the caller answers a miss that starts a wait with that wait rather than "not found".
	 */
	miss(clientId: string): number {
		const now = this.now();
		const record = this.current(clientId) ?? { misses: 0, lastMissAt: now, blockedUntil: 0 };
		record.misses += 1;
		record.lastMissAt = now;
		const over = record.misses - this.policy.freeAttempts;
		const wait = over > 0 ? backoffMs(over, this.policy) : 0;
		record.blockedUntil = wait > 0 ? now + wait : 0;
		// Re-insert, so the map's order is least recently wrong first.
		this.clients.delete(clientId);
		this.clients.set(clientId, record);
		this.prune();
		return wait;
	}

	/** Clients currently remembered (for tests and metrics). */
	get size(): number {
		return this.clients.size;
	}

	private current(clientId: string): ClientRecord | null {
		const record = this.clients.get(clientId);
		if (!record) return null;
		if (this.forgotten(record, this.now())) {
			this.clients.delete(clientId);
			return null;
		}
		return record;
	}

	private forgotten(record: ClientRecord, now: number): boolean {
		return now >= record.blockedUntil && now - record.lastMissAt >= this.policy.forgetAfterMs;
	}

	private prune(): void {
		// The map is ordered least recently wrong first: forget from the front.
		for (const id of this.clients.keys()) {
			if (this.clients.size <= MAX_CLIENTS) break;
			this.clients.delete(id);
		}
	}
}

/** The wait after the `over`-th wrong number beyond the free ones: base · 2^(over−1), at most max. */
export function backoffMs(over: number, policy: Pick<NumberGuessPolicy, 'backoffBaseMs' | 'backoffMaxMs'>): number {
	if (over <= 0) return 0;
	// 2^40 ms is 35 years: past any sane maximum, and still exact in a double.
	return Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.min(over - 1, 40));
}

export const tooMany = (waitMs: number): TandemError =>
	new TandemError('tooManyWrongNumbers', undefined, { seconds: Math.max(1, Math.ceil(waitMs / 1000)) });

/**
 * The key a client is limited by: its IPv4 address, or its IPv6 /64 — one home or office network gets
 * a whole /64, so limiting single IPv6 addresses would let anyone step round the limit.
 */
export function clientKey(address: string): string {
	const a = address
		.trim()
		.toLowerCase()
		.replace(/^\[|\]$/g, '')
		.replace(/%.*$/, '');
	const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/.exec(a);
	if (v4) return v4[1]!;
	if (!a.includes(':')) return a;
	const [head = '', tail] = a.split('::');
	const front = head ? head.split(':') : [];
	const back = tail ? tail.split(':') : [];
	const groups = tail === undefined ? front : [...front, ...Array<string>(Math.max(0, 8 - front.length - back.length)).fill('0'), ...back];
	return `${groups
		.slice(0, 4)
		.map((g) => g.replace(/^0+(?=.)/, ''))
		.join(':')}::/64`;
}
