// Administration and abuse limits through the real tRPC router, on PGlite and on PostgreSQL (SPEC §10,
// §11): site settings and their ranges, rep edits, disabling (logins end at once), the last
// administrator, sign-in lockout with a growing delay, and the per-client wrong-number back-off.

import { TRPCError } from '@trpc/server';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reps, signInLocks } from '@tandem/db';
import { TandemError } from '../src/refusal.ts';
import { FakeClock } from '../src/time/clock.ts';
import { refusalOf, world, type Browser, type World } from './harness.ts';

/** The Tandem error a call was refused with, params and all. */
async function errorOf(call: Promise<unknown>): Promise<TandemError> {
	try {
		await call;
	} catch (error) {
		if (error instanceof TRPCError && error.cause instanceof TandemError) return error.cause;
		throw error;
	}
	throw new Error('expected the call to be refused, but it succeeded');
}

let emails = 0;
async function account(w: World, name: string, extra: Record<string, unknown> = {}) {
	const email = `${name.toLowerCase()}.${++emails}@example.com`;
	const profile = await (await w.admin.api()).admin.createRep({ name, email, password: 'rep-password', ...extra });
	return { ...profile, email, password: 'rep-password' };
}

async function signedIn(w: World, who: { email: string; password: string }): Promise<Browser> {
	const b = w.browser();
	await (await b.api()).auth.signIn({ email: who.email, password: who.password });
	return b;
}

describe.each(['pglite', 'postgres'] as const)('administration on %s', (kind) => {
	let w: World;
	beforeAll(async () => {
		w = await world(kind);
	});
	afterAll(() => w?.close());

	it('site settings: an admin reads and changes them; out-of-range values are refused and change nothing', async () => {
		const api = await w.admin.api();
		const before = await api.admin.settings();
		expect(before).toMatchObject({
			maxCustomersPerRep: 5,
			maxSessionsPerRep: 4,
			defaultSessionMode: 'multi',
			gracePeriodSeconds: 30,
			fileSizeLimitMb: 100,
			fileRetentionDays: 30,
		});

		for (const bad of [
			{ maxCustomersPerRep: 0 },
			{ maxSessionsPerRep: 0 },
			{ gracePeriodSeconds: -5 },
			{ gracePeriodSeconds: 3601 },
			{ invitationExpiryHours: 0 },
			{ fileSizeLimitMb: 2.5 },
			{ fileRetentionDays: 0 },
			{ fileRetentionDays: 3651 },
			{ defaultSessionMode: 'many' },
			// A good value beside a bad one: the good one is not written either.
			{ maxCustomersPerRep: 7, gracePeriodSeconds: -1 },
		]) {
			expect(await refusalOf(api.admin.updateSettings(bad as never)), JSON.stringify(bad)).toBe('invalidInput');
		}
		const untouched = await api.admin.settings();
		expect({ ...untouched, updatedAt: null }).toEqual({ ...before, updatedAt: null });

		// The refusal names the field, so the form can say which one and its range.
		const error = await api.admin.updateSettings({ gracePeriodSeconds: -5 }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(TRPCError);
		expect(((error as TRPCError).cause as unknown as { issues: { path: PropertyKey[] }[] }).issues[0]?.path).toEqual([
			'gracePeriodSeconds',
		]);

		const changed = await api.admin.updateSettings({
			maxCustomersPerRep: 3,
			maxSessionsPerRep: 6,
			defaultSessionMode: 'single',
			gracePeriodSeconds: 45,
			invitationExpiryHours: 48,
			fileSizeLimitMb: 250,
			fileRetentionDays: 90,
		});
		expect(changed).toMatchObject({
			maxCustomersPerRep: 3,
			maxSessionsPerRep: 6,
			defaultSessionMode: 'single',
			gracePeriodSeconds: 45,
			invitationExpiryHours: 48,
			fileSizeLimitMb: 250,
			fileRetentionDays: 90,
		});
		expect(await api.admin.settings()).toMatchObject({ maxCustomersPerRep: 3, gracePeriodSeconds: 45 });
		await api.admin.updateSettings({ maxCustomersPerRep: 5, maxSessionsPerRep: 4, defaultSessionMode: 'multi', gracePeriodSeconds: 30 });

		// Only admins.
		const rep = await w.rep('Plain');
		expect(await refusalOf((await rep.api()).admin.settings())).toBe('forbidden');
		expect(await refusalOf((await rep.api()).admin.updateSettings({ maxCustomersPerRep: 50 }))).toBe('forbidden');
		expect(await refusalOf((await w.browser().api()).admin.updateSettings({ maxCustomersPerRep: 50 }))).toBe('notSignedIn');
	});

	it('the site maximum of customers, and a rep override, refuse the next customer', async () => {
		await (await w.admin.api()).admin.updateSettings({ maxCustomersPerRep: 1 });
		try {
			const ana = await w.rep('Ana', { sessionMode: 'multi' });
			const s = await (await ana.api()).session.start();
			await (await w.browser().api()).session.join({ number: s.number, name: 'First' });
			expect(await refusalOf((await w.browser().api()).session.join({ number: s.number, name: 'Second' }))).toBe('customerLimitReached');
			expect((await w.services.sessions.state(s.id))?.participants).toHaveLength(2);

			// Ivo's own maximum (2) overrides the site's (1).
			const ivo = await account(w, 'Ivo', { maxCustomers: 2 });
			const ivoBrowser = await signedIn(w, ivo);
			const t = await (await ivoBrowser.api()).session.start();
			await (await w.browser().api()).session.join({ number: t.number, name: 'One' });
			await (await w.browser().api()).session.join({ number: t.number, name: 'Two' });
			expect(await refusalOf((await w.browser().api()).session.join({ number: t.number, name: 'Three' }))).toBe('customerLimitReached');
		} finally {
			await (await w.admin.api()).admin.updateSettings({ maxCustomersPerRep: 5 });
		}
	});

	it('an admin edits a rep: name, roles, session mode, maximum customers, voice calls', async () => {
		const api = await w.admin.api();
		const rep = await account(w, 'Edit');
		expect(rep).toMatchObject({ isAdmin: false, isRep: true, isAgent: false, sessionMode: null, maxCustomers: null, voiceCalls: true });

		const edited = await api.admin.updateRep({
			id: rep.id,
			name: ' Edited Name ',
			isAgent: true,
			sessionMode: 'single',
			maxCustomers: 3,
			voiceCalls: false,
		});
		expect(edited).toMatchObject({
			name: 'Edited Name',
			isAgent: true,
			sessionMode: 'single',
			maxCustomers: 3,
			voiceCalls: false,
			email: rep.email,
		});
		expect((await api.admin.reps()).find((r) => r.id === rep.id)).toEqual(edited);

		// The new mode is in force: single session.
		const b = await signedIn(w, rep);
		await (await b.api()).session.start();
		expect(await refusalOf((await b.api()).session.start())).toBe('singleSessionBusy');

		// Back to the site's defaults.
		const reset = await api.admin.updateRep({ id: rep.id, sessionMode: null, maxCustomers: null });
		expect(reset).toMatchObject({ sessionMode: null, maxCustomers: null });

		// Made an admin (and back), the rep gets (and loses) the admin calls at once.
		await api.admin.updateRep({ id: rep.id, isAdmin: true });
		await (await b.api()).admin.reps();
		await api.admin.updateRep({ id: rep.id, isAdmin: false });
		expect(await refusalOf((await b.api()).admin.reps())).toBe('forbidden');
	});

	it('refuses bad rep edits and changes nothing', async () => {
		const api = await w.admin.api();
		const rep = await account(w, 'Bad');
		expect(await refusalOf(api.admin.updateRep({ id: rep.id, maxCustomers: 0 }))).toBe('invalidInput');
		expect(await refusalOf(api.admin.updateRep({ id: rep.id, name: '  ' }))).toBe('invalidInput');
		expect(await refusalOf(api.admin.updateRep({ id: rep.id, sessionMode: 'many' as never }))).toBe('invalidInput');
		// No role at all, or an agent who is not a rep.
		expect(await refusalOf(api.admin.updateRep({ id: rep.id, isRep: false }))).toBe('invalidRoles');
		expect(await refusalOf(api.admin.updateRep({ id: rep.id, isRep: false, isAgent: true, isAdmin: true }))).toBe('invalidRoles');
		expect(
			await refusalOf(api.admin.createRep({ name: 'Nobody', email: 'nobody@example.com', password: 'rep-password', isRep: false })),
		).toBe('invalidRoles');
		expect(await refusalOf(api.admin.updateRep({ id: '00000000-0000-4000-8000-000000000000', name: 'Ghost' }))).toBe('repNotFound');
		expect(await refusalOf(api.admin.createRep({ name: 'Twin', email: rep.email.toUpperCase(), password: 'rep-password' }))).toBe(
			'emailTaken',
		);
		expect(await refusalOf(api.admin.createRep({ name: 'Short', email: 'short@example.com', password: 'short' }))).toBe('invalidInput');
		expect(await refusalOf(api.admin.createRep({ name: 'Mail', email: 'not-an-address', password: 'rep-password' }))).toBe('invalidInput');
		expect((await api.admin.reps()).find((r) => r.id === rep.id)).toMatchObject({
			name: 'Bad',
			isRep: true,
			isAgent: false,
			maxCustomers: null,
		});
		expect((await api.admin.reps()).some((r) => r.email === 'nobody@example.com')).toBe(false);

		// Only admins edit reps.
		const plain = await w.rep('NotAdmin');
		expect(await refusalOf((await plain.api()).admin.updateRep({ id: rep.id, isAdmin: true }))).toBe('forbidden');
		expect(await refusalOf((await plain.api()).admin.createRep({ name: 'X', email: 'x@example.com', password: 'rep-password' }))).toBe(
			'forbidden',
		);
	});

	it('an administrator-only account gives no support', async () => {
		const boss = await account(w, 'Boss', { isAdmin: true, isRep: false });
		const b = await signedIn(w, boss);
		expect(await refusalOf((await b.api()).session.start())).toBe('notARep');
		expect(await refusalOf((await b.api()).session.assist({ number: '123 456 789' }))).toBe('notARep');
		await (await w.admin.api()).admin.updateRep({ id: boss.id, disabled: true });
	});

	it('disabling a rep ends their logins at once: the next call is refused, the open feed ends; enabling lets them back', async () => {
		const api = await w.admin.api();
		const rep = await account(w, 'Gone');
		const first = await signedIn(w, rep);
		const second = await signedIn(w, rep); // another browser of theirs
		await (await first.api()).session.start();

		const feed = await (await first.api()).feed.events({ as: 'rep' });
		const iterator = feed[Symbol.asyncIterator]();
		const snapshot = await iterator.next();
		expect(snapshot.done).toBe(false);
		const next = iterator.next();

		const disabled = await api.admin.updateRep({ id: rep.id, disabled: true });
		expect(disabled.disabled).toBe(true);
		expect((await next).done).toBe(true); // the feed ended

		for (const b of [first, second]) {
			expect(await refusalOf((await b.api()).session.start())).toBe('notSignedIn');
			expect((await (await b.api()).auth.status()).me).toBeNull();
		}
		expect(await refusalOf((await w.browser().api()).auth.signIn({ email: rep.email, password: rep.password }))).toBe('accountDisabled');
		// A wrong password on a disabled account says no more than on any other.
		expect(await refusalOf((await w.browser().api()).auth.signIn({ email: rep.email, password: 'wrong-password' }))).toBe('badCredentials');

		await api.admin.updateRep({ id: rep.id, disabled: false });
		const back = await signedIn(w, rep);
		expect((await (await back.api()).auth.status()).me?.name).toBe('Gone');
	});

	it('the site always keeps an enabled administrator', async () => {
		const api = await w.admin.api();
		const me = (await (await w.admin.api()).auth.status()).me!;
		const others = (await api.admin.reps()).filter((r) => r.isAdmin && !r.disabled && r.id !== me.id);
		for (const o of others) await api.admin.updateRep({ id: o.id, isAdmin: false });

		// Alone: no demoting or disabling oneself.
		expect(await refusalOf(api.admin.updateRep({ id: me.id, isAdmin: false }))).toBe('lastAdmin');
		expect(await refusalOf(api.admin.updateRep({ id: me.id, disabled: true }))).toBe('lastAdmin');
		expect((await api.admin.reps()).find((r) => r.id === me.id)).toMatchObject({ isAdmin: true, disabled: false });
		// Other edits of oneself are fine.
		await api.admin.updateRep({ id: me.id, name: 'Admin', voiceCalls: true });

		// A disabled admin does not count.
		const sleeping = await account(w, 'Sleeping', { isAdmin: true });
		await api.admin.updateRep({ id: sleeping.id, disabled: true });
		expect(await refusalOf(api.admin.updateRep({ id: me.id, isAdmin: false }))).toBe('lastAdmin');

		// With a second enabled admin, one may step down; then the other is the last.
		const second = await account(w, 'Second', { isAdmin: true });
		const secondBrowser = await signedIn(w, second);
		await (await secondBrowser.api()).admin.updateRep({ id: second.id, isAdmin: false });
		expect(await refusalOf(api.admin.updateRep({ id: me.id, disabled: true }))).toBe('lastAdmin');
		await api.admin.updateRep({ id: second.id, isAdmin: true });
		await api.admin.updateRep({ id: second.id, disabled: true });
		expect(await refusalOf(api.admin.updateRep({ id: me.id, isAdmin: false }))).toBe('lastAdmin');
		await api.admin.updateRep({ id: second.id, disabled: false });
	});

	it.runIf(kind === 'postgres')('two admins demoting each other at once: exactly one of them stays admin', async () => {
		const api = await w.admin.api();
		const me = (await api.auth.status()).me!;
		const a = await account(w, 'RaceA', { isAdmin: true });
		const b = await account(w, 'RaceB', { isAdmin: true });
		const ab = await signedIn(w, a);
		const bb = await signedIn(w, b);
		// Only A and B are admins now.
		for (const r of await (await ab.api()).admin.reps()) {
			if (r.isAdmin && !r.disabled && r.id !== a.id && r.id !== b.id) await (await ab.api()).admin.updateRep({ id: r.id, isAdmin: false });
		}
		try {
			// Make the race certain: hold both rows while the two demotions start, so that neither can
			// finish before the other has looked at who else is admin; let go once both are waiting.
			let letGo!: () => void;
			const held = new Promise<void>((resolve) => (letGo = resolve));
			let holding!: () => void;
			const isHolding = new Promise<void>((resolve) => (holding = resolve));
			const holder = w.services.db.transaction(async (tx) => {
				await tx.execute(sql`select id from reps where id in (${a.id}, ${b.id}) for update`);
				holding();
				await held;
			});
			await isHolding;
			const race = Promise.allSettled([
				(await ab.api()).admin.updateRep({ id: b.id, isAdmin: false }),
				(await bb.api()).admin.updateRep({ id: a.id, isAdmin: false }),
			]);
			const waiting = async () => {
				const result = await w.services.db.execute<{ n: number }>(
					sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
				);
				return Number((result as unknown as { rows: { n: number }[] }).rows[0]?.n ?? 0);
			};
			await expect.poll(waiting, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
			letGo();
			await holder;
			const results = await race;
			expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
			const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
			expect(((refused.reason as TRPCError).cause as TandemError).code).toBe('lastAdmin');
			const admins = (await w.services.db.select().from(reps)).filter((r) => r.isAdmin && !r.disabled);
			expect(admins).toHaveLength(1);
		} finally {
			await w.services.db.update(reps).set({ isAdmin: true }).where(eq(reps.id, me.id));
		}
	});
});

/** The account's lock for the one client address the harness's browsers share. */
async function lockOf(w: World, email: string) {
	const [row] = await w.services.db
		.select({ failures: signInLocks.failures, lockedUntil: signInLocks.lockedUntil })
		.from(signInLocks)
		.innerJoin(reps, eq(reps.id, signInLocks.repId))
		.where(eq(reps.email, email));
	return row;
}

describe.each(['pglite', 'postgres'] as const)('abuse limits on %s', (kind) => {
	let w: World;
	// Locks and waits pass on this clock, not on the system's.
	const clock = new FakeClock();
	beforeAll(async () => {
		// 2 free wrong numbers, then 60 s, 120 s, … up to 10 min.
		w = await world(kind, { clock, numberGuesses: { freeAttempts: 2, backoffBaseMs: 60_000, backoffMaxMs: 600_000 } });
	});
	afterAll(() => w?.close());

	/** When this test's client (every browser here is one) may try the account again. */
	const lockedUntil = async (email: string) => (await lockOf(w, email))?.lockedUntil;
	/** Time passes until a second after the account's lock ends. */
	const expireLock = async (email: string) => clock.advance((await lockedUntil(email))!.getTime() - clock.now() + 1000);

	it('sign-in locks after 3 failures (the harness policy), for 60 s, then 120 s, 240 s; a success resets it', async () => {
		const rep = await account(w, 'Locky');
		const api = await w.browser().api();
		const wrong = () => api.auth.signIn({ email: rep.email, password: 'wrong-password' });
		expect(await refusalOf(wrong())).toBe('badCredentials');
		expect(await refusalOf(wrong())).toBe('badCredentials');
		const third = await errorOf(wrong());
		expect(third.code).toBe('accountLocked');
		expect(third.params).toEqual({ minutes: 1 });
		let until = (await lockedUntil(rep.email))!.getTime() - clock.now();
		expect(until).toBeGreaterThan(50_000);
		expect(until).toBeLessThanOrEqual(60_000);

		// While locked, even the right password is refused, and the lock does not grow.
		const whileLocked = await errorOf(api.auth.signIn({ email: rep.email, password: rep.password }));
		expect(whileLocked.code).toBe('accountLocked');
		expect((await lockedUntil(rep.email))!.getTime() - clock.now()).toBeLessThanOrEqual(60_000);

		// Each further failure after a lock doubles the delay.
		await expireLock(rep.email);
		expect((await errorOf(wrong())).params).toEqual({ minutes: 2 });
		until = (await lockedUntil(rep.email))!.getTime() - clock.now();
		expect(until).toBeGreaterThan(110_000);
		expect(until).toBeLessThanOrEqual(120_000);
		await expireLock(rep.email);
		expect((await errorOf(wrong())).params).toEqual({ minutes: 4 });

		// Once the lock has passed, the right password works and the count starts again.
		await expireLock(rep.email);
		await api.auth.signIn({ email: rep.email, password: rep.password });
		expect(await refusalOf(wrong())).toBe('badCredentials');
		expect(await lockOf(w, rep.email)).toMatchObject({ failures: 1, lockedUntil: null });
	});

	it('an unknown account is never "locked": it says wrong e-mail or password every time', async () => {
		const api = await w.browser().api();
		for (let i = 0; i < 5; i++) {
			expect(await refusalOf(api.auth.signIn({ email: 'nobody@example.com', password: 'whatever-it-is' }))).toBe('badCredentials');
		}
	});

	it('wrong session numbers back off per client; a correct number from another client is not affected', async () => {
		const ana = await w.rep('Numbers');
		const s = await (await ana.api()).session.start();
		const scanner = w.browser('203.0.113.7');
		const join = (b: Browser, number: string) => b.api().then((api) => api.session.join({ number, name: 'Guess' }));

		// Malformed numbers are typos, not guesses: never counted.
		for (let i = 0; i < 5; i++) expect(await refusalOf(join(scanner, '12345'))).toBe('invalidSessionNumber');
		expect(await refusalOf(join(scanner, '999 999 991'))).toBe('sessionNotFound');
		expect(await refusalOf(join(scanner, '999 999 992'))).toBe('sessionNotFound');
		// The third wrong number starts a 60 s wait, and says so.
		const third = await errorOf(join(scanner, '999 999 993'));
		expect(third.code).toBe('tooManyWrongNumbers');
		expect(third.params).toEqual({ seconds: 60 });
		// While it waits, every number is refused, the right one too.
		const blocked = await errorOf(join(scanner, s.number));
		expect(blocked.code).toBe('tooManyWrongNumbers');
		expect(Number(blocked.params?.seconds)).toBeGreaterThan(55);
		expect((await w.services.sessions.state(s.id))?.participants).toHaveLength(1);

		// Another client joins at once.
		const customer = w.browser('198.51.100.9');
		const joined = await (await customer.api()).session.join({ number: s.numberFormatted, name: 'Real' });
		expect(joined.sessionId).toBe(s.id);

		// Assist Session by number counts the same way, per client.
		const jelena = await w.rep('Assistant');
		const rep = w.browser('192.0.2.44');
		for (const [k, v] of jelena.cookies) rep.cookies.set(k, v);
		expect(await refusalOf((await rep.api()).session.assist({ number: '999 999 994' }))).toBe('sessionNotFound');
		expect(await refusalOf((await rep.api()).session.assist({ number: '999 999 995' }))).toBe('sessionNotFound');
		expect((await errorOf((await rep.api()).session.assist({ number: '999 999 996' }))).code).toBe('tooManyWrongNumbers');
		expect((await errorOf((await rep.api()).session.assist({ number: s.number }))).code).toBe('tooManyWrongNumbers');
		expect(w.services.numberGuesses.waitMs('192.0.2.44')).toBeGreaterThan(55_000);
		// The scanner's wait doubled? No: refused attempts are not misses — it still waits the first 60 s.
		expect(w.services.numberGuesses.waitMs('203.0.113.7')).toBeLessThanOrEqual(60_000);
	});
});
