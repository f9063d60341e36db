// The number-guess limiter on a hand-driven clock: free misses, doubling waits, the cap, per-client keys,
// forgetting, and the arithmetic the README quotes.

import { describe, expect, it } from 'vitest';
import { TandemError } from '../refusal.ts';
import { backoffMs, clientKey, NumberGuessLimiter, type NumberGuessPolicy } from './numberGuessLimiter.ts';

function clocked(policy: NumberGuessPolicy) {
	let t = 1_000_000;
	const limiter = new NumberGuessLimiter(policy, () => t);
	return { limiter, advance: (ms: number) => (t += ms) };
}

const refusal = (f: () => void): TandemError | null => {
	try {
		f();
		return null;
	} catch (error) {
		if (error instanceof TandemError) return error;
		throw error;
	}
};

describe('number guess limiter', () => {
	const policy = { freeAttempts: 3, backoffBaseMs: 1_000, backoffMaxMs: 8_000 };

	it('lets the free misses through, then makes each further miss wait twice as long, up to the cap', () => {
		const { limiter } = clocked(policy);
		expect([limiter.miss('a'), limiter.miss('a'), limiter.miss('a')]).toEqual([0, 0, 0]);
		expect(limiter.waitMs('a')).toBe(0);
		expect(() => limiter.check('a')).not.toThrow();

		const { limiter: l2, advance } = clocked(policy);
		for (let i = 0; i < 3; i++) l2.miss('a');
		const waits: number[] = [];
		for (let i = 0; i < 6; i++) {
			waits.push(l2.miss('a'));
			advance(l2.waitMs('a')); // the scanner waits out each wait, exactly
			expect(l2.waitMs('a')).toBe(0);
		}
		expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
	});

	it('refuses every attempt while the client waits, with the seconds left, rounded up', () => {
		const { limiter, advance } = clocked(policy);
		for (let i = 0; i < 5; i++) limiter.miss('a'); // 2 over: a wait of 2 s
		const first = refusal(() => limiter.check('a'));
		expect(first?.code).toBe('tooManyWrongNumbers');
		expect(first?.params).toEqual({ seconds: 2 });
		advance(1_200);
		expect(refusal(() => limiter.check('a'))?.params).toEqual({ seconds: 1 });
		advance(800);
		expect(refusal(() => limiter.check('a'))).toBeNull();
	});

	it('keys by client: one scanner waiting does not slow anybody else', () => {
		const { limiter } = clocked(policy);
		for (let i = 0; i < 10; i++) limiter.miss('203.0.113.7');
		expect(refusal(() => limiter.check('203.0.113.7'))?.code).toBe('tooManyWrongNumbers');
		expect(refusal(() => limiter.check('198.51.100.9'))).toBeNull();
		expect(limiter.miss('198.51.100.9')).toBe(0);
	});

	it('forgets a client after a quiet day (the default), not while it still waits', () => {
		const { limiter, advance } = clocked({ ...policy, backoffMaxMs: 48 * 3_600_000, backoffBaseMs: 30 * 3_600_000 });
		for (let i = 0; i < 4; i++) limiter.miss('a'); // waits 30 h
		advance(25 * 3_600_000);
		expect(limiter.waitMs('a')).toBe(5 * 3_600_000); // a day passed, but it still waits
		advance(5 * 3_600_000);
		expect(limiter.waitMs('a')).toBe(0);
		expect(limiter.size).toBe(0); // 30 h since its last miss, and no wait left: forgotten
		expect(limiter.miss('a')).toBe(0); // free misses again
	});

	it('keeps counting when the client comes back within the day', () => {
		const { limiter, advance } = clocked(policy);
		for (let i = 0; i < 4; i++) limiter.miss('a');
		advance(3_600_000);
		expect(limiter.miss('a')).toBe(2_000);
	});

	it('with no free misses, the first wrong number already waits', () => {
		const { limiter } = clocked({ freeAttempts: 0, backoffBaseMs: 500, backoffMaxMs: 10_000 });
		expect(limiter.miss('a')).toBe(500);
		expect(refusal(() => limiter.check('a'))?.params).toEqual({ seconds: 1 });
	});

	it('backoffMs never overflows and honours the cap', () => {
		const cap = { backoffBaseMs: 1_000, backoffMaxMs: 3_600_000 };
		expect(backoffMs(0, cap)).toBe(0);
		expect(backoffMs(1, cap)).toBe(1_000);
		expect(backoffMs(12, cap)).toBe(2_048_000);
		expect(backoffMs(13, cap)).toBe(3_600_000);
		expect(backoffMs(10_000, cap)).toBe(3_600_000);
	});

	it('README arithmetic: with the defaults a client gets at most ~40 numbers in its first day, then 24 a day', () => {
		// Defaults: 5 free, 1 s doubling, capped at 1 h.
		const { limiter, advance } = clocked({ freeAttempts: 5, backoffBaseMs: 1_000, backoffMaxMs: 3_600_000 });
		let tries = 0;
		let elapsed = 0;
		const day = 24 * 3_600_000;
		while (elapsed < day) {
			const wait = limiter.miss('scanner');
			tries++;
			advance(wait);
			elapsed += wait;
		}
		// 5 free + 12 doubling waits (1 s … 2048 s, 68 min in all) + one an hour for the rest of the day.
		expect(tries).toBeGreaterThanOrEqual(38);
		expect(tries).toBeLessThanOrEqual(41);
		const perDay = 24;
		const years = 9e8 / 2 / perDay / 365;
		expect(Math.round(years / 1000)).toBe(51); // ~51,000 years, on average, to hit one live session
	});

	it('limits IPv4 clients by address and IPv6 clients by their /64', () => {
		expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
		expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
		expect(clientKey('2001:db8:aa:bb:1:2:3:4')).toBe('2001:db8:aa:bb::/64');
		expect(clientKey('2001:0db8:00aa:00bb:ffff::1')).toBe('2001:db8:aa:bb::/64');
		expect(clientKey('[2001:db8::1]')).toBe('2001:db8:0:0::/64');
		expect(clientKey('2001:db8::')).toBe('2001:db8:0:0::/64');
		expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
		expect(clientKey('::1')).toBe('0:0:0:0::/64');
		expect(clientKey('local')).toBe('local');
		expect(clientKey('2001:db8:aa:bb:1::9')).toBe(clientKey('2001:db8:aa:bb:ffff::1'));
	});
});
