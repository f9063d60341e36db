// Sign-in under attack (issue "Hold under attack", finding 1): guesses sent all at once must meet the same
// lockout as guesses sent one by one — each is counted before its password is checked, so the lock holds
// the moment the free attempts are spent, and the right password among a flood of wrong ones is refused
// like them; and one HTTP request cannot carry a batch of sign-ins.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { reps } from '@tandem/db';
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
	const lockedUntil = async (email: string) => (await w.services.db.select().from(reps).where(eq(reps.email, email)))[0]!.lockedUntil;

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
