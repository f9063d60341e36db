// Transfer session (SPEC §7) through the real router: the agent in control hands a session to a queue or to
// chosen agents with a personal message of at most 345 code points; they leave, a voice call ends, the
// customers and assistants stay and wait; the queue's agents (or the chosen ones) are offered it with the
// message exactly as written; the first accept continues the session. Chosen agents who let it pass get it
// once more, then it waits in the fallback queue ahead of new requests. Bad input is refused and changes
// nothing. Time is a fake clock; routing passes are run by hand.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/time/clock.ts';
import { Browser, fingerprint, refusalOf, world, type World } from './harness.ts';

const OFFER_TIMEOUT = 30_000;
const MESSAGE = '😀'.repeat(345); // 345 code points, 690 UTF-16 units

describe.each(['pglite', 'postgres'] as const)('Transfer session on %s', (kind) => {
	let w: World;
	const clock = new FakeClock();
	const people: Record<string, { browser: Browser; id: string; release: () => Promise<void> }> = {};
	let printers = '';

	beforeAll(async () => {
		w = await world(kind, { clock });
		const admin = await w.admin.api();
		for (const name of ['Eva', 'Filip', 'Goran', 'Hana']) {
			const browser = await w.rep(name);
			const id = (await (await browser.api()).auth.status()).me!.id;
			if (name !== 'Hana') await admin.admin.updateRep({ id, isAgent: true }); // Hana is a rep, not an agent
			const release = await w.services.lifeline.connected(id, `console-${name}`);
			people[name] = { browser, id, release };
		}
		const members = [people.Filip!.id, people.Goran!.id];
		printers = (await admin.admin.createQueue({ name: 'Printers', members, routing: 'everybody', openToCustomers: true })).id;
	});
	afterAll(async () => {
		for (const p of Object.values(people)) await p.release();
		await w?.close();
	});

	const api = async (name: string) => people[name]!.browser.api();
	const offersOf = async (name: string) => (await api(name)).acd.offers();
	/** A live session controlled by `name` with a customer in it. */
	const sessionOf = async (name: string, customer: string) => {
		const view = await (await api(name)).session.start();
		const browser = w.browser();
		await (await browser.api()).session.join({ number: view.number, name: customer });
		return { sessionId: view.id, number: view.number, customer: browser };
	};
	const state = async (sessionId: string) => (await w.services.sessions.state(sessionId))!;
	/** What the customer's page is shown of the session: the first snapshot of their feed. */
	const customerSees = async (customer: Browser, sessionId: string) => {
		const iterator = (await (await customer.api()).feed.events({ as: 'customer' }))[Symbol.asyncIterator]();
		const first = (await iterator.next()).value as unknown;
		await iterator.return?.();
		const item = (Array.isArray(first) ? first[1] : first) as { sessions?: { id: string; status: string; waiting: unknown }[] };
		return item.sessions?.find((v) => v.id === sessionId);
	};
	const endAll = async () => {
		for (const id of await w.services.sessions.liveSessionIds())
			await w.services.sessions.command(id, { kind: 'system' }, { type: 'endForLostConsole', reason: 'connectionLost' });
		for (const name of ['Eva', 'Filip', 'Goran']) await (await api(name)).acd.setState({ state: 'available' });
	};

	it('to a queue with a 345-character message: the rep and the voice call are gone, the assistant and customer wait, and an agent of the queue continues it', async () => {
		const { sessionId, number, customer } = await sessionOf('Eva', 'Mira');
		await (await api('Hana')).session.assist({ number });
		await (await api('Eva')).session.startActivity({ sessionId, activity: 'voiceCall' });
		expect((await state(sessionId)).activities.voiceCall).toBe(true);

		const before = await fingerprint(w.services);
		const tooLong = (await api('Eva')).acd.transfer({ sessionId, queueId: printers, message: `${MESSAGE}!` });
		expect(await refusalOf(tooLong)).toBe('invalidInput');
		expect(await fingerprint(w.services)).toBe(before);

		const after = await (await api('Eva')).acd.transfer({ sessionId, queueId: printers, message: MESSAGE });
		expect(after.status).toBe('waiting');
		const waiting = await state(sessionId);
		expect(waiting).toMatchObject({ status: 'waiting', controllerId: null });
		expect(waiting.activities.voiceCall).toBe(false);
		expect(waiting.participants.map((p) => p.name)).toEqual(['Mira', 'Hana']);
		expect(await refusalOf((await api('Eva')).session.leave({ sessionId }))).toBe('notInSession');
		// The customer is still connected, and is told they are being transferred.
		const seen = await customerSees(customer, sessionId);
		expect(seen).toMatchObject({ status: 'waiting', waiting: { origin: 'transfer', nextFree: false } });

		await w.services.router.pass();
		const [filip] = await offersOf('Filip');
		const [goran] = await offersOf('Goran');
		for (const offer of [filip, goran])
			expect(offer).toMatchObject({ sessionId, customers: ['Mira'], queueName: 'Printers', message: MESSAGE });
		expect([...filip!.message!].length).toBe(345);
		expect(await offersOf('Eva')).toEqual([]); // not back to who sent it

		const view = await (await api('Goran')).acd.accept({ sessionId, offerId: goran!.offerId });
		expect(view).toMatchObject({ status: 'live', number, me: { role: 'controller' } });
		expect(view.participants.map((p) => p.name).sort()).toEqual(['Goran', 'Hana', 'Mira']);
		expect(await refusalOf((await api('Filip')).acd.accept({ sessionId, offerId: filip!.offerId }))).toBe('offerNotFound');
		await endAll();
	});

	it('to two agents: both are offered it at once, the first accept wins', async () => {
		const { sessionId } = await sessionOf('Goran', 'Jovan');
		await (await api('Goran')).acd.transfer({ sessionId, agents: [people.Eva!.id, people.Filip!.id], message: 'Needs the driver — today' });
		await w.services.router.pass();
		const [eva] = await offersOf('Eva');
		const [filip] = await offersOf('Filip');
		expect([eva?.sessionId, filip?.sessionId]).toEqual([sessionId, sessionId]);
		expect(eva).toMatchObject({ message: 'Needs the driver — today', queueName: null, customers: ['Jovan'] });
		await (await api('Filip')).acd.accept({ sessionId, offerId: filip!.offerId });
		expect(await refusalOf((await api('Eva')).acd.accept({ sessionId, offerId: eva!.offerId }))).toBe('offerNotFound');
		expect(await offersOf('Eva')).toEqual([]);
		const taken = await state(sessionId);
		expect(taken.participants.find((p) => p.id === taken.controllerId)?.repId).toBe(people.Filip!.id);
		await endAll();
	});

	it('chosen agents who let it pass get it once more; then it waits in the fallback queue ahead of new requests, for the next free rep', async () => {
		await (await api('Goran')).acd.setState({ state: 'busy' });
		await (await api('Filip')).acd.setState({ state: 'busy' });
		const nina = await (await w.browser().api()).acd.requestHelp({ name: 'Nina', problem: 'Paper jam', queueId: printers });
		const { sessionId, customer } = await sessionOf('Filip', 'Ana');
		await (await api('Filip')).acd.transfer({ sessionId, agents: [people.Eva!.id] });

		await w.services.router.pass();
		expect((await offersOf('Eva')).map((o) => o.sessionId)).toEqual([sessionId]);
		clock.advance(OFFER_TIMEOUT + 1_000);
		await w.services.timers.fireDue();
		await w.services.router.pass(); // Eva let it pass: round two, to her again
		await (await api('Eva')).acd.setState({ state: 'available' }); // back after the expiry made her away
		await w.services.router.pass();
		const [again] = await offersOf('Eva');
		expect(again).toMatchObject({ sessionId });
		expect((await state(sessionId)).handover).toMatchObject({ queueId: null, round: 2 });

		clock.advance(OFFER_TIMEOUT + 1_000);
		await w.services.timers.fireDue();
		await w.services.router.pass();
		expect((await state(sessionId)).handover).toMatchObject({ queueId: printers, fellBack: true });
		expect(await customerSees(customer, sessionId)).toMatchObject({ waiting: { origin: 'transfer', nextFree: true } });

		// A free member of the fallback queue is offered the transferred session before Nina's request.
		await (await api('Goran')).acd.setState({ state: 'available' });
		await w.services.router.pass();
		await w.services.router.pass();
		expect((await offersOf('Goran')).map((o) => o.sessionId)).toEqual([sessionId]);
		expect(nina.sessionId).not.toBe(sessionId);
		await endAll();
	});

	it('a rep who is not an agent, an assistant, no target, two kinds of target, an unknown queue, an away, disabled or own agent: refused, nothing changed', async () => {
		const { sessionId, number } = await sessionOf('Eva', 'Lazar');
		await (await api('Hana')).session.assist({ number });
		const plain = await sessionOf('Hana', 'Petar');
		await (await api('Goran')).acd.setState({ state: 'away' });
		const disabled = await w.rep('Ivan');
		const ivan = (await (await disabled.api()).auth.status()).me!.id;
		await (await w.admin.api()).admin.updateRep({ id: ivan, isAgent: true });
		await (await w.admin.api()).admin.updateRep({ id: ivan, disabled: true });
		const removed = (
			await (await w.admin.api()).admin.createQueue({ name: 'Old', members: [], routing: 'mostIdle', openToCustomers: false })
		).id;
		await (await w.admin.api()).admin.removeQueue({ id: removed });

		const eva = await api('Eva');
		const cases: [() => Promise<unknown>, string][] = [
			[async () => (await api('Hana')).acd.transfer({ sessionId: plain.sessionId, queueId: printers }), 'notAnAgent'],
			[async () => (await api('Hana')).acd.transfer({ sessionId, queueId: printers }), 'notController'],
			[async () => (await api('Filip')).acd.transfer({ sessionId, queueId: printers }), 'notInSession'],
			[() => eva.acd.transfer({ sessionId }), 'transferTargetRequired'],
			[() => eva.acd.transfer({ sessionId, queueId: printers, agents: [people.Filip!.id] }), 'transferTargetRequired'],
			[() => eva.acd.transfer({ sessionId, queueId: crypto.randomUUID() }), 'queueNotFound'],
			[() => eva.acd.transfer({ sessionId, queueId: removed }), 'queueNotFound'],
			[() => eva.acd.transfer({ sessionId, agents: [people.Goran!.id] }), 'agentUnavailable'],
			[() => eva.acd.transfer({ sessionId, agents: [people.Eva!.id] }), 'agentUnavailable'],
			[() => eva.acd.transfer({ sessionId, agents: [ivan] }), 'notAnAgent'],
			[() => eva.acd.transfer({ sessionId, agents: [people.Hana!.id] }), 'notAnAgent'],
		];
		const before = await fingerprint(w.services);
		for (const [call, code] of cases) expect(await refusalOf(call())).toBe(code);
		// Two queues is not a shape the API takes.
		const twoQueues = eva.acd.transfer({ sessionId, queueId: [printers, removed] as unknown as string });
		expect(await refusalOf(twoQueues)).toBe('invalidInput');
		expect(await fingerprint(w.services)).toBe(before);
		expect((await state(sessionId)).status).toBe('live');
		await endAll();
	});

	it('with no queue at all, a transfer to chosen agents stays theirs until one accepts', async () => {
		await (await w.admin.api()).admin.removeQueue({ id: printers });
		const { sessionId } = await sessionOf('Filip', 'Olga');
		await (await api('Filip')).acd.transfer({ sessionId, agents: [people.Eva!.id] });
		for (let round = 1; round <= 3; round++) {
			await w.services.router.pass();
			await w.services.router.pass();
			const [offer] = await offersOf('Eva');
			expect(offer).toMatchObject({ sessionId });
			await (await api('Eva')).acd.decline({ sessionId, offerId: offer!.offerId });
			clock.advance(OFFER_TIMEOUT + 1_000);
		}
		expect((await state(sessionId)).handover).toMatchObject({ queueId: null, round: 3 });
		await endAll();
	});
});
