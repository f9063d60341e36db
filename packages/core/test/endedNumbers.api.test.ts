// Ended session numbers (issue "Hold under attack", finding 10; SPEC §2): a customer who types the number of
// a session that ended within the last 7 days is told it has ended — however often they try, without being
// made to wait as a guesser is — and that number is not given out to a new session in that time.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSessionNumber, type SessionNumber } from '../src/session/sessionNumber.ts';
import { FakeClock } from '../src/time/clock.ts';
import { refusalOf, world, type World } from './harness.ts';

const DAY = 24 * 3600 * 1000;

describe.each(['pglite', 'postgres'] as const)('ended session numbers on %s', (kind) => {
	// A site of its own for each test: its clock moves a week, past every sign-in.
	let w: World;
	let clock: FakeClock;
	// The numbers the next Starts draw, in order; random once these are used.
	const drawn: string[] = [];
	beforeEach(async () => {
		clock = new FakeClock();
		// 2 free wrong numbers, then a wait: as in production, only tighter.
		w = await world(kind, {
			clock,
			numberGuesses: { freeAttempts: 2, backoffBaseMs: 60_000, backoffMaxMs: 600_000 },
			drawSessionNumber: () => (drawn.shift() ?? generateSessionNumber()) as SessionNumber,
		});
	});
	afterEach(() => w?.close());

	it('typed within 7 days it is answered "ended", never counted as a guess; after that it is unknown', async () => {
		const ana = await (await w.rep('Ana')).api();
		const session = await ana.session.start();
		await ana.session.end({ sessionId: session.id });

		const customer = w.browser('198.51.100.20');
		const join = () => customer.api().then((api) => api.session.join({ number: session.numberFormatted, name: 'Marko' }));
		for (let i = 0; i < 6; i++) expect(await refusalOf(join())).toBe('sessionEnded');
		// Not one of those was a miss: this client still has its free wrong numbers.
		expect(w.services.numberGuesses.waitMs('198.51.100.20')).toBe(0);
		expect(await refusalOf(customer.api().then((api) => api.session.join({ number: '999 999 981', name: 'M' })))).toBe('sessionNotFound');

		clock.advance(7 * DAY + 60_000);
		expect(await refusalOf(join())).toBe('sessionNotFound');
	});

	it('a number whose session ended within 7 days is not given to a new session', async () => {
		const ana = await (await w.rep('Vera')).api();
		drawn.push('222333444', '222333444', '555666777');
		const first = await ana.session.start();
		expect(first.number).toBe('222333444');
		await ana.session.end({ sessionId: first.id });
		// The next draw is that number again: it is kept, so the one after is used.
		const second = await ana.session.start();
		expect(second.number).toBe('555666777');
		await ana.session.end({ sessionId: second.id });
		// A week later it may be given out again.
		clock.advance(7 * DAY + 60_000);
		drawn.push('222333444');
		// Every sign-in of a week ago has run out: the admin signs in again and makes a rep.
		await (await w.admin.api()).auth.signIn({ email: 'admin@example.com', password: 'admin-password' });
		const later = await (await w.rep('Vesna')).api();
		expect((await later.session.start()).number).toBe('222333444');
	});
});
