// Sessions through the real tRPC router, on PGlite and on PostgreSQL.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../src/audit/chain.ts';
import { eventsOf } from '../src/log/eventLog.ts';
import { replay } from '../src/session/evolve.ts';
import type { SessionEvent } from '../src/session/model.ts';
import { refusalOf, world, type World } from './harness.ts';

describe.each(['pglite', 'postgres'] as const)('sessions on %s', (kind) => {
	let w: World;
	beforeAll(async () => {
		w = await world(kind);
	});
	afterAll(() => w?.close());

	it('a rep starts a session with a 9-digit number and a customer joins by it, typed with spaces', async () => {
		const ana = await w.rep('Ana');
		const session = await (await ana.api()).session.start();
		expect(session.number).toMatch(/^[1-9]\d{8}$/);
		expect(session.numberFormatted).toBe(session.number.replace(/(\d{3})(\d{3})(\d{3})/, '$1 $2 $3'));
		expect(session.me?.role).toBe('controller');

		const customer = w.browser();
		const joined = await (await customer.api()).session.join({ number: session.numberFormatted, name: ' Marko ' });
		expect(joined.sessionId).toBe(session.id);
		expect(customer.cookies.has('tandem_customer')).toBe(true);

		const state = await w.services.sessions.state(session.id);
		expect(state?.participants.map((p) => [p.name, p.role])).toEqual([
			['Ana', 'controller'],
			['Marko', 'customer'],
		]);

		// A reload (same cookie) is the same participant, not a second one.
		const again = await (await customer.api()).session.join({ number: session.number, name: 'Marko' });
		expect(again.participantId).toBe(joined.participantId);
		expect((await w.services.sessions.state(session.id))?.participants).toHaveLength(2);
	});

	it('refuses wrong, malformed and ended numbers, and changes nothing', async () => {
		const api = await w.browser().api();
		expect(await refusalOf(api.session.join({ number: '12345', name: 'X' }))).toBe('invalidSessionNumber');
		expect(await refusalOf(api.session.join({ number: '012345678', name: 'X' }))).toBe('invalidSessionNumber');
		expect(await refusalOf(api.session.join({ number: '999-999-999', name: 'X' }))).toBe('sessionNotFound');
		expect(await refusalOf(api.session.join({ number: '999999999', name: '' }))).toBe('invalidInput');

		const ivo = await w.rep('Ivo');
		const s = await (await ivo.api()).session.start();
		await (await ivo.api()).session.end({ sessionId: s.id });
		expect(await refusalOf(api.session.join({ number: s.number, name: 'Late' }))).toBe('sessionEnded'); // SPEC §2: an ended number is answered as ended for 7 days
	});

	it('single-session mode refuses a second Start; multi-session allows up to the site maximum', async () => {
		const single = await w.rep('Single', { sessionMode: 'single' });
		await (await single.api()).session.start();
		expect(await refusalOf((await single.api()).session.start())).toBe('singleSessionBusy');

		const multi = await w.rep('Multi', { sessionMode: 'multi' });
		await (await w.admin.api()).admin.updateSettings({ maxSessionsPerRep: 3 });
		for (let i = 0; i < 3; i++) await (await multi.api()).session.start();
		expect(await refusalOf((await multi.api()).session.start())).toBe('maxSessionsReached');
		await (await w.admin.api()).admin.updateSettings({ maxSessionsPerRep: 4 });
	});

	it('an assistant joins by number without control; control goes over and comes back', async () => {
		const ana = await w.rep('Ana2', { voiceCalls: true });
		const jelena = await w.rep('Jelena');
		const s = await (await ana.api()).session.start();
		const customer = w.browser();
		await (await customer.api()).session.join({ number: s.number, name: 'Marko' });

		const assisted = await (await jelena.api()).session.assist({ number: s.numberFormatted });
		expect(assisted.me?.role).toBe('assistant');
		expect(assisted.can.end).toBe(false);
		expect(await refusalOf((await jelena.api()).session.end({ sessionId: s.id }))).toBe('notController');
		expect(await refusalOf((await customer.api()).session.end({ sessionId: s.id }))).toBe('notController');
		expect(await refusalOf((await w.browser().api()).session.end({ sessionId: s.id }))).toBe('notSignedIn');
		expect(await refusalOf((await ana.api()).session.leave({ sessionId: s.id }))).toBe('controllerCannotLeave');

		const jelenaId = assisted.me!.participantId;
		await (await ana.api()).session.startActivity({ sessionId: s.id, activity: 'recording' });
		await (await ana.api()).session.startActivity({ sessionId: s.id, activity: 'voiceCall' });
		await (await customer.api()).session.startActivity({ sessionId: s.id, activity: 'sharing' });
		await (await ana.api()).session.transferControl({ sessionId: s.id, to: jelenaId });

		let state = (await w.services.sessions.state(s.id))!;
		expect(state.participants.find((p) => p.name === 'Jelena')?.role).toBe('controller');
		expect(state.participants.find((p) => p.name === 'Ana2')?.role).toBe('assistant');
		expect(state.activities).toMatchObject({ sharing: [], recording: false, voiceCall: true });

		// The old controller cannot end, but can leave; the new one hands control back first.
		expect(await refusalOf((await ana.api()).session.end({ sessionId: s.id }))).toBe('notController');
		const anaId = state.participants.find((p) => p.name === 'Ana2')!.id;
		await (await jelena.api()).session.transferControl({ sessionId: s.id, to: anaId });
		state = (await w.services.sessions.state(s.id))!;
		expect(state.participants.find((p) => p.name === 'Ana2')?.role).toBe('controller');
		await (await jelena.api()).session.leave({ sessionId: s.id });
		state = (await w.services.sessions.state(s.id))!;
		expect(state.participants.map((p) => p.name)).toEqual(['Ana2', 'Marko']);
	});

	it('a voice call goes on through a transfer only to a console with a microphone and the Voice calls setting', async () => {
		const cases = [
			{ name: 'MicOn', voiceCalls: true, microphone: true, kept: true },
			{ name: 'MicOff', voiceCalls: true, microphone: false, kept: false },
			{ name: 'SettingOff', voiceCalls: false, microphone: true, kept: false },
		];
		for (const c of cases) {
			const controller = await w.rep(`Voice${c.name}`);
			const target = await w.rep(c.name, { voiceCalls: c.voiceCalls });
			const targetId = (await (await target.api()).auth.status()).me!.id;
			// The target's console declares (or not) a microphone as it connects (SPEC §6).
			const release = await w.services.lifeline.connected(targetId, `console-${c.name}`, { microphone: c.microphone });
			const s = await (await controller.api()).session.start();
			const assisted = await (await target.api()).session.assist({ number: s.number });
			await (await controller.api()).session.startActivity({ sessionId: s.id, activity: 'voiceCall' });
			await (await controller.api()).session.transferControl({ sessionId: s.id, to: assisted.me!.participantId });
			expect((await w.services.sessions.state(s.id))!.activities.voiceCall, c.name).toBe(c.kept);
			await release();
		}
	});

	it('the maximum customers a rep helps is counted over all their sessions', async () => {
		const rep = await w.rep('Busy', { maxCustomers: 2 });
		const s1 = await (await rep.api()).session.start();
		const s2 = await (await rep.api()).session.start();
		await (await w.browser().api()).session.join({ number: s1.number, name: 'C1' });
		await (await w.browser().api()).session.join({ number: s2.number, name: 'C2' });
		expect(await refusalOf((await w.browser().api()).session.join({ number: s1.number, name: 'C3' }))).toBe('customerLimitReached');
		expect((await w.services.sessions.state(s1.id))?.participants).toHaveLength(2);
	});

	it('transfer of control is refused to a single-session rep who already controls a session', async () => {
		const a = await w.rep('A', { sessionMode: 'multi' });
		const b = await w.rep('B', { sessionMode: 'single' });
		await (await b.api()).session.start();
		const s = await (await a.api()).session.start();
		const assisted = await (await b.api()).session.assist({ number: s.number });
		expect(await refusalOf((await a.api()).session.transferControl({ sessionId: s.id, to: assisted.me!.participantId }))).toBe(
			'targetSingleSessionBusy',
		);
	});

	it('events are hash-chained, replay to the stored state, and tampering is detected', async () => {
		const rep = await w.rep('Chain');
		const s = await (await rep.api()).session.start();
		await (await w.browser().api()).session.join({ number: s.number, name: 'Cust' });
		await (await rep.api()).session.end({ sessionId: s.id });
		const rows = await eventsOf(w.services.db, 'session', s.id);
		expect(rows.map((r) => r.type)).toEqual(['session.started', 'participant.joined', 'session.ended']);
		expect(replay(rows.map((r) => r.payload as SessionEvent))).toEqual(await w.services.sessions.state(s.id));
		const key = w.services.config.auditKey;
		expect(verifyChain(key, rows)).toBeNull();
		const forged = rows.map((r, i) =>
			i === 1 ? { ...r, payload: { ...(r.payload as object), participant: { name: 'Someone else' } } } : r,
		);
		expect(verifyChain(key, forged)).toBe(2);
	});
});

describe('concurrency on postgres', () => {
	let w: World;
	beforeAll(async () => {
		w = await world('postgres');
	});
	afterAll(() => w?.close());

	it('two Starts at once in single-session mode: exactly one passes', async () => {
		const node2 = await w.secondNode();
		for (let round = 0; round < 5; round++) {
			const rep = await w.rep(`Racer${round}`, { sessionMode: 'single' });
			// The same rep on two nodes: nothing in-process is shared, only the database lock serialises them.
			const elsewhere = node2.browser();
			for (const [k, v] of rep.cookies) elsewhere.cookies.set(k, v);
			const [a, b] = [await rep.api(), await elsewhere.api()];
			const results = await Promise.allSettled([a.session.start(), b.session.start()]);
			expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
			const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
			expect(refused.reason.cause.code).toBe('singleSessionBusy');
		}
		await node2.close();
	});
});
