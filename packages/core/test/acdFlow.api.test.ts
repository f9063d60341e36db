// WebACD end to end through the real router (SPEC §7, §8): a customer asks for help, routing offers the
// session to an agent who is there, the agent accepts and is in control with the customer already in it.
// Offers that expire make the agent away and move on; declines move on; with *everybody* the first accept
// wins — also when two agents accept at the same moment on two nodes of one PostgreSQL. Bad input is
// refused in the user's words and changes nothing. Time is a fake clock; routing passes are run by hand.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/time/clock.ts';
import { eventsOf } from '../src/log/eventLog.ts';
import type { SessionEvent } from '../src/session/model.ts';
import { Browser, fingerprint, refusalOf, world, type World } from './harness.ts';

describe.each(['pglite', 'postgres'] as const)('Get help, offers and accept on %s', (kind) => {
	let w: World;
	const clock = new FakeClock();
	const agents: Record<string, { browser: Browser; id: string; release: () => Promise<void> }> = {};
	let queueId = '';

	beforeAll(async () => {
		w = await world(kind, { clock });
		const admin = await w.admin.api();
		for (const name of ['Eva', 'Filip']) {
			const browser = await w.rep(name);
			const id = (await (await browser.api()).auth.status()).me!.id;
			await admin.admin.updateRep({ id, isAgent: true });
			// An agent is available while their console is open.
			const release = await w.services.lifeline.connected(id, `console-${name}`);
			agents[name] = { browser, id, release };
		}
		queueId = (
			await admin.admin.createQueue({
				name: 'Printers',
				members: [agents.Eva!.id, agents.Filip!.id],
				routing: 'mostIdle',
				openToCustomers: true,
			})
		).id;
	});
	afterAll(async () => {
		for (const a of Object.values(agents)) await a.release();
		await w?.close();
	});

	const ask = async (name: string, problem = 'The printer is offline') => {
		const customer = w.browser();
		const { sessionId } = await (await customer.api()).acd.requestHelp({ name, problem, queueId });
		return { customer, sessionId };
	};
	const offersOf = async (name: string) => (await agents[name]!.browser.api()).acd.offers();
	const endAll = async () => {
		for (const id of await w.services.sessions.liveSessionIds())
			await w.services.sessions.command(id, { kind: 'system' }, { type: 'endForLostConsole', reason: 'connectionLost' });
		for (const name of ['Eva', 'Filip']) await (await agents[name]!.browser.api()).acd.setState({ state: 'available' });
	};

	it('a customer asks, the most idle agent is offered it, accepts, and is in control with the customer in it', async () => {
		const { customer, sessionId } = await ask('Mira');
		expect((await w.services.sessions.state(sessionId))!).toMatchObject({ status: 'waiting', controllerId: null });
		await w.services.router.pass();
		const offered = [...(await offersOf('Eva')), ...(await offersOf('Filip'))];
		expect(offered).toHaveLength(1); // most idle: one agent at a time
		const offer = offered[0]!;
		expect(offer).toMatchObject({
			sessionId,
			customers: ['Mira'],
			problem: 'The printer is offline',
			queueName: 'Printers',
			message: null,
		});
		const who = (await offersOf('Eva')).length ? 'Eva' : 'Filip';
		const view = await (await agents[who]!.browser.api()).acd.accept({ sessionId, offerId: offer.offerId });
		expect(view).toMatchObject({ status: 'live', me: { role: 'controller' } });
		expect(view.participants.map((p) => p.name)).toEqual(['Mira', who]);
		expect(await offersOf(who)).toEqual([]);
		// The customer is in the session: it is theirs to leave.
		await (await customer.api()).session.leave({ sessionId });
		await endAll();
	});

	it('an offer not answered in time expires, the agent is away, and routing moves on to the next', async () => {
		const { sessionId } = await ask('Nikola');
		await w.services.router.pass();
		const first = (await offersOf('Eva')).length ? 'Eva' : 'Filip';
		const second = first === 'Eva' ? 'Filip' : 'Eva';
		clock.advance(31_000); // the site's offer timeout: 30 s
		await w.services.timers.fireDue();
		expect(await (await agents[first]!.browser.api()).acd.me()).toMatchObject({ state: 'away', awayReason: 'offerExpired' });
		await w.services.router.pass();
		expect(await offersOf(first)).toEqual([]);
		expect((await offersOf(second)).map((o) => o.sessionId)).toEqual([sessionId]);
		await endAll();
	});

	it('a decline moves routing on; a decline or an accept of another agent’s offer is refused and changes nothing', async () => {
		const { sessionId } = await ask('Vesna');
		await w.services.router.pass();
		const first = (await offersOf('Eva')).length ? 'Eva' : 'Filip';
		const second = first === 'Eva' ? 'Filip' : 'Eva';
		const [offer] = await offersOf(first);
		const before = await fingerprint(w.services);
		const other = await agents[second]!.browser.api();
		expect(await refusalOf(other.acd.decline({ sessionId, offerId: offer!.offerId }))).toBe('notYourOffer');
		expect(await refusalOf(other.acd.accept({ sessionId, offerId: offer!.offerId }))).toBe('notYourOffer');
		expect(await fingerprint(w.services)).toBe(before);
		await (await agents[first]!.browser.api()).acd.decline({ sessionId, offerId: offer!.offerId });
		await w.services.router.pass();
		expect((await offersOf(second)).map((o) => o.sessionId)).toEqual([sessionId]);
		// The one who declined is not offered it again.
		expect(await offersOf(first)).toEqual([]);
		await endAll();
	});

	it('with everybody, both are offered it at once; the first accept wins and the other finds it gone', async () => {
		await (await w.admin.api()).admin.updateQueue({ id: queueId, routing: 'everybody' });
		const { sessionId } = await ask('Jovan');
		await w.services.router.pass();
		const [eva] = await offersOf('Eva');
		const [filip] = await offersOf('Filip');
		expect([eva?.sessionId, filip?.sessionId]).toEqual([sessionId, sessionId]);
		await (await agents.Eva!.browser.api()).acd.accept({ sessionId, offerId: eva!.offerId });
		expect(await refusalOf((await agents.Filip!.browser.api()).acd.accept({ sessionId, offerId: filip!.offerId }))).toBe('offerNotFound');
		expect(await offersOf('Filip')).toEqual([]);
		await endAll();
		await (await w.admin.api()).admin.updateQueue({ id: queueId, routing: 'mostIdle' });
	});

	it('a customer who leaves the line ends the session, and the offer goes with it', async () => {
		const { customer, sessionId } = await ask('Ana');
		await w.services.router.pass();
		await (await customer.api()).session.leave({ sessionId });
		expect((await w.services.sessions.state(sessionId))!.status).toBe('ended');
		expect([...(await offersOf('Eva')), ...(await offersOf('Filip'))]).toEqual([]);
		await endAll();
	});

	it('Get help refuses an empty name, a problem over 500 characters, an e-mail that is none, and a queue not open to customers', async () => {
		const api = await w.browser().api();
		const closed = (
			await (await w.admin.api()).admin.createQueue({ name: 'Internal', members: [], routing: 'everybody', openToCustomers: false })
		).id;
		const before = await fingerprint(w.services);
		expect(await refusalOf(api.acd.requestHelp({ name: '  ', problem: 'x', queueId }))).toBe('invalidInput');
		expect(await refusalOf(api.acd.requestHelp({ name: 'Ok', problem: '😀'.repeat(501), queueId }))).toBe('invalidInput');
		expect(await refusalOf(api.acd.requestHelp({ name: 'Ok', problem: 'x', email: 'not-an-address', queueId }))).toBe('invalidInput');
		expect(await refusalOf(api.acd.requestHelp({ name: 'Ok', problem: 'x', queueId: closed }))).toBe('queueNotFound');
		expect(await fingerprint(w.services)).toBe(before);
		// 500 characters of emoji are 500, not 1,000 UTF-16 units.
		await expect(api.acd.requestHelp({ name: 'Ok', problem: '😀'.repeat(500), queueId })).resolves.toMatchObject({
			sessionId: expect.any(String),
		});
		await endAll();
	});
});

/** Eva and Filip, agents of one 'everybody' queue open to customers, consoles connected, on node A of two. */
async function everybodyQueueOnTwoNodes(capacity?: number) {
	const clock = new FakeClock();
	const a = await world('postgres', { clock });
	const b = await a.secondNode();
	const admin = await a.admin.api();
	const ids: string[] = [];
	const browsers: Browser[] = [];
	for (const name of ['Eva', 'Filip']) {
		const browser = await a.rep(name);
		const id = (await (await browser.api()).auth.status()).me!.id;
		await admin.admin.updateRep({ id, isAgent: true, ...(capacity ? { agentCapacity: capacity } : {}) });
		await a.services.lifeline.connected(id, `console-${name}`);
		ids.push(id);
		browsers.push(browser);
	}
	const queueId = (await admin.admin.createQueue({ name: 'Everyone', members: ids, routing: 'everybody', openToCustomers: true })).id;
	return { clock, a, b, ids, browsers, queueId };
}

describe('two agents accepting one everybody offer at the same moment, on two nodes of one PostgreSQL', () => {
	it('exactly one wins; the log holds one acceptance', async () => {
		const { a, b, browsers, queueId } = await everybodyQueueOnTwoNodes();
		try {
			for (let round = 0; round < 5; round++) {
				const { sessionId } = await (await a.browser().api()).acd.requestHelp({ name: `Customer ${round}`, problem: 'help', queueId });
				await a.services.router.pass();
				const [eva] = await (await browsers[0]!.api()).acd.offers();
				const [filip] = await (await browsers[1]!.api()).acd.offers();
				// Eva on node A, Filip on node B, at once.
				const filipOnB = new Browser(b.services);
				for (const [k, v] of browsers[1]!.cookies) filipOnB.cookies.set(k, v);
				const outcomes = await Promise.allSettled([
					(await browsers[0]!.api()).acd.accept({ sessionId, offerId: eva!.offerId }),
					(await filipOnB.api()).acd.accept({ sessionId, offerId: filip!.offerId }),
				]);
				expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
				const log = await eventsOf(a.services.db, 'session', sessionId);
				expect(log.filter((e) => e.type === 'session.accepted')).toHaveLength(1);
				for (const id of await a.services.sessions.liveSessionIds())
					await a.services.sessions.command(id, { kind: 'system' }, { type: 'endForLostConsole', reason: 'connectionLost' });
			}
		} finally {
			await b.close();
			await a.close();
		}
	});

	it('routing passes on both nodes at once make one offer per customer per agent, and each expiry fires once', async () => {
		const { clock, a, b, ids, queueId } = await everybodyQueueOnTwoNodes(5);
		try {
			const sessions: string[] = [];
			for (let i = 0; i < 4; i++)
				sessions.push((await (await a.browser().api()).acd.requestHelp({ name: `Customer ${i}`, problem: 'help', queueId })).sessionId);
			// As when the routing lease passes from one node to the other in the middle of a pass.
			await Promise.all([a.services.router.pass(), b.services.router.pass(), a.services.router.pass(), b.services.router.pass()]);
			clock.advance(31_000);
			await Promise.all([a.services.timers.fireDue(), b.services.timers.fireDue()]);
			for (const sessionId of sessions) {
				const log = await eventsOf(a.services.db, 'session', sessionId);
				const made = log.flatMap(({ payload }) => {
					const e = payload as SessionEvent;
					return e.type === 'offer.made' ? e.offers.map((o) => o.repId) : [];
				});
				expect(made.sort()).toEqual([...ids].sort()); // each agent once
				expect(log.filter((e) => e.type === 'offer.expired')).toHaveLength(2); // each offer's timer once
			}
		} finally {
			await b.close();
			await a.close();
		}
	});
});
