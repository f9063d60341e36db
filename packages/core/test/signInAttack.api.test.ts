// Sign-in under attack (issue "Hold under attack", finding 1): guesses sent all at once must meet the same
// lockout as guesses sent one by one — each is counted before its password is checked, so the lock holds
// the moment the free attempts are spent, and the right password among a flood of wrong ones is refused
// like them; and one HTTP request cannot carry a batch of sign-ins. And the lockout is no weapon (finding 6):
// a stranger locks out only their own address, while guesses from many addresses meet the account's delay.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { reps, signInLocks } from '@tandem/db';
import { FakeClock } from '../src/time/clock.ts';
import { overHttp, refusalOf, world, type World } from './harness.ts';

describe.each(['pglite', 'postgres'] as const)('sign-in under attack on %s', (kind) => {
	let w: World;
	beforeAll(async () => {
		w = await world(kind); // the harness's policy: 3 free attempts, then 60 s
	});
	afterAll(() => w?.close());

	async function account(name: string) {
		const email = `${name.toLowerCase()}@example.com`;
		await (await w.admin.api()).admin.createRep({ name, email, password: 'right-password' });
		return email;
	}
	const signIn = (email: string, password: string) =>
		w
			.browser()
			.api()
			.then((api) => api.auth.signIn({ email, password }));
	const lockedUntil = async (email: string) =>
		(
			await w.services.db
				.select({ lockedUntil: signInLocks.lockedUntil })
				.from(signInLocks)
				.innerJoin(reps, eq(reps.id, signInLocks.repId))
				.where(eq(reps.email, email))
		)[0]?.lockedUntil;

	it('60 wrong passwords at once: no more than the free attempts are checked, and the account locks', async () => {
		const email = await account('Parallel');
		const answers = await Promise.all(Array.from({ length: 60 }, () => refusalOf(signIn(email, 'wrong-password'))));
		expect(answers.filter((a) => a === 'badCredentials').length).toBeLessThanOrEqual(2);
		expect(answers.filter((a) => a === 'accountLocked').length).toBeGreaterThanOrEqual(58);
		expect(await lockedUntil(email)).not.toBeNull();
	});

	it('60 wrong passwords and then the right one, all at once: the right one is refused too', async () => {
		const email = await account('Flood');
		const wrong = Array.from({ length: 60 }, () => refusalOf(signIn(email, 'wrong-password')));
		const right = refusalOf(signIn(email, 'right-password'));
		await Promise.all(wrong);
		expect(await right).toBe('accountLocked');
	});

	it('one HTTP request cannot batch sign-ins (nor carry more than a few calls of any kind)', async () => {
		const email = await account('Batch');
		const call = async (paths: string[], body: Record<string, unknown>, method: 'GET' | 'POST' = 'POST') => {
			const query = method === 'GET' ? `&input=${encodeURIComponent(JSON.stringify(body))}` : '';
			const req = new Request(`http://127.0.0.1/console/api/trpc/${paths.join(',')}?batch=1${query}`, {
				method,
				headers: { 'content-type': 'application/json' },
				...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
			});
			const res = await overHttp(w.services, req);
			return { status: res.status, cookie: res.headers.get('set-cookie') };
		};
		const attempts = Object.fromEntries(
			Array.from({ length: 40 }, (_, i) => [i, { email, password: i === 39 ? 'right-password' : `wrong-${i}` }]),
		);
		const batch = await call(
			Array.from({ length: 40 }, () => 'auth.signIn'),
			attempts,
		);
		expect(batch.status).toBe(400);
		expect(batch.cookie).toBeNull();
		const two = await call(['auth.signIn', 'auth.status'], { 0: { email, password: 'right-password' } });
		expect(two.status).toBe(400);
		expect(two.cookie).toBeNull();
		const many = await call(
			Array.from({ length: 11 }, () => 'auth.status'),
			{},
			'GET',
		);
		expect(many.status).toBe(400);
		// Nothing was counted: the right password still signs in.
		await signIn(email, 'right-password');
	});
});

describe.each(['pglite', 'postgres'] as const)('the lockout is no weapon on %s', (kind) => {
	let w: World;
	const clock = new FakeClock();
	beforeAll(async () => {
		// The harness's policy: 3 free attempts per address, then 60 s; and, per account, 10 free failures
		// from anywhere, then every attempt held 500 ms, doubling up to 10 s.
		w = await world(kind, { clock });
	});
	afterAll(() => w?.close());

	async function account(name: string) {
		const email = `${name.toLowerCase()}@example.com`;
		await (await w.admin.api()).admin.createRep({ name, email, password: 'right-password' });
		return email;
	}
	const signInFrom = (address: string, email: string, password: string) =>
		w
			.browser(address)
			.api()
			.then((api) => api.auth.signIn({ email, password }));
	/** Resolves when the call has answered, with how long the clock had to move for it (in 100 ms steps). */
	async function heldFor(call: Promise<unknown>): Promise<number> {
		let done = false;
		const settled = call.then(
			() => 'signed in',
			(e: unknown) => e,
		);
		void settled.then(() => (done = true));
		let moved = 0;
		for (let i = 0; i < 400 && !done; i++) {
			await new Promise((r) => setTimeout(r, 5));
			if (clock.sleeping > 0) {
				clock.advance(100);
				moved += 100;
			}
		}
		await settled;
		return moved;
	}

	it('a stranger who spends the free attempts locks out their own address, not the owner', async () => {
		const email = await account('Target');
		for (let i = 0; i < 5; i++) await refusalOf(signInFrom('203.0.113.66', email, 'guess'));
		expect(await refusalOf(signInFrom('203.0.113.66', email, 'right-password'))).toBe('accountLocked');
		const owner = await signInFrom('198.51.100.7', email, 'right-password');
		expect(owner.email).toBe(email);
	});

	it('guesses spread over many addresses meet the account delay, and the owner still gets in after it', async () => {
		const email = await account('Spread');
		// 10 addresses, one guess each: the account's free failures.
		for (let i = 0; i < 10; i++) expect(await refusalOf(signInFrom(`203.0.113.${i + 1}`, email, 'guess'))).toBe('badCredentials');
		// From here every attempt on the account, whatever its address, waits before its password is checked.
		expect(await heldFor(refusalOf(signInFrom('203.0.113.50', email, 'guess')))).toBe(500);
		expect(await heldFor(refusalOf(signInFrom('203.0.113.51', email, 'guess')))).toBe(1000);
		for (let i = 0; i < 8; i++) await heldFor(refusalOf(signInFrom(`203.0.113.${60 + i}`, email, 'guess')));
		// The delay stops growing at 10 s: never a lock the owner cannot pass.
		expect(await heldFor(refusalOf(signInFrom('203.0.113.90', email, 'guess')))).toBe(10_000);
		let owner: { email: string } | undefined;
		expect(await heldFor(signInFrom('198.51.100.8', email, 'right-password').then((r) => (owner = r)))).toBe(10_000);
		expect(owner?.email).toBe(email);
		// An hour without a wrong password and the account's count is forgotten.
		clock.advance(3600_000);
		expect(await heldFor(refusalOf(signInFrom('203.0.113.91', email, 'guess')))).toBe(0);
	});
});
