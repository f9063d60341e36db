// The console's lifeline (SPEC §2): a close ends the rep's sessions in a moment unless the console
// comes back (a reload); a lost connection ends them only after the grace period; after a restart the
// grace period starts again for every live session. Presence and deadlines are rows, so a second node
// over the same PostgreSQL acts on what the first one saw. Time is a fake clock moved by the test: the
// deadlines fire when the test asks the timers, never after a sleep.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { events } from '@tandem/db';
import { FakeClock } from '../src/time/clock.ts';
import { HEARTBEAT_TIMEOUT_MS } from '../src/service/consoleLifeline.ts';
import { world, type World } from './harness.ts';

const GOODBYE = 5_000;
const GRACE = 60_000;

async function liveSession(w: World, name: string) {
	const rep = await w.rep(name);
	const view = await (await rep.api()).session.start();
	const repId = (await (await rep.api()).auth.status()).me!.id;
	return { rep, view, repId, status: async () => (await w.services.sessions.state(view.id))!.status };
}

/** Moves the clock and fires what came due, on the given nodes in turn; returns how many timers fired. */
async function pass(clock: FakeClock, ms: number, ...nodes: World[]): Promise<number> {
	clock.advance(ms);
	let fired = 0;
	for (const n of nodes) fired += await n.services.timers.fireDue();
	return fired;
}

describe.each(['pglite', 'postgres'] as const)('console lifeline on %s', (kind) => {
	const clock = new FakeClock();
	let w: World;
	beforeAll(async () => {
		w = await world(kind, { clock, lifeline: { gracePeriodMs: async () => GRACE } });
	});
	afterAll(() => w?.close());

	it('a close (goodbye, then the feed drops) ends the session after the goodbye delay', async () => {
		const { repId, status } = await liveSession(w, 'Closer');
		const disconnect = await w.services.lifeline.connected(repId, 'console-a1');
		await w.services.lifeline.goodbye(repId, 'console-a1');
		await disconnect();
		await pass(clock, GOODBYE - 1, w);
		expect(await status()).toBe('live');
		await pass(clock, 1, w);
		expect(await status()).toBe('ended');
	});

	it('a reload (goodbye, drop, and the console back in time) ends nothing', async () => {
		const { repId, status } = await liveSession(w, 'Reloader');
		const disconnect = await w.services.lifeline.connected(repId, 'console-b1');
		await w.services.lifeline.goodbye(repId, 'console-b1');
		await disconnect();
		await pass(clock, GOODBYE / 3, w);
		const again = await w.services.lifeline.connected(repId, 'console-b2');
		await pass(clock, GOODBYE + GRACE, w);
		expect(await status()).toBe('live');
		await again();
	});

	it('a lost connection (no goodbye) waits for the grace period', async () => {
		const { repId, status } = await liveSession(w, 'Dropper');
		await (
			await w.services.lifeline.connected(repId, 'console-c1')
		)();
		await pass(clock, GOODBYE, w);
		expect(await status()).toBe('live');
		await pass(clock, GRACE - GOODBYE - 1, w);
		expect(await status()).toBe('live');
		await pass(clock, 1, w);
		expect(await status()).toBe('ended');
	});

	it('a console that falls silent (no heartbeat) counts as a lost connection', async () => {
		const { repId, status } = await liveSession(w, 'Silent');
		const release = await w.services.lifeline.connected(repId, 'console-s1');
		await pass(clock, 10_000, w);
		await w.services.lifeline.heartbeat(repId, 'console-s1');
		await pass(clock, HEARTBEAT_TIMEOUT_MS - 1_000, w);
		await w.services.lifeline.sweep();
		expect(await w.services.lifeline.isPresent(repId), 'last beat within the timeout: still there').toBe(true);
		await pass(clock, 2_000, w);
		await w.services.lifeline.sweep();
		expect(await w.services.lifeline.isPresent(repId)).toBe(false);
		await pass(clock, GRACE, w);
		expect(await status()).toBe('ended');
		await release();
	});

	it('another console of the same rep keeps the sessions alive', async () => {
		const { repId, status } = await liveSession(w, 'TwoTabs');
		const tab1 = await w.services.lifeline.connected(repId, 'console-d1');
		const tab2 = await w.services.lifeline.connected(repId, 'console-d2');
		await w.services.lifeline.goodbye(repId, 'console-d1');
		await tab1();
		await pass(clock, GOODBYE + GRACE, w);
		expect(await status()).toBe('live');
		await tab2();
	});

	it('after a restart every live session gets the grace period again, counted from boot', async () => {
		const present = await liveSession(w, 'Present');
		const absent = await liveSession(w, 'Absent');
		const release = await w.services.lifeline.connected(present.repId, 'console-e1');
		// The node boots again (what open() does first): the feeds it carried are gone, the present rep's
		// console reconnects.
		await w.services.lifeline.recover();
		const back = await w.services.lifeline.connected(present.repId, 'console-e2');
		await pass(clock, GRACE - 1, w);
		expect(await absent.status()).toBe('live');
		await pass(clock, 1, w);
		expect(await absent.status()).toBe('ended');
		expect(await present.status()).toBe('live');
		await release();
		await back();
	});
});

describe('console lifeline across two nodes on one PostgreSQL', () => {
	const clock = new FakeClock();
	let a: World;
	let b: World;
	beforeAll(async () => {
		a = await world('postgres', { clock, lifeline: { gracePeriodMs: async () => GRACE } });
		b = await a.secondNode();
	});
	afterAll(async () => {
		await b?.close();
		await a?.close();
	});

	const logOf = async (sessionId: string) =>
		(
			await a.services.db
				.select({ type: events.type, actor: events.actor, payload: events.payload })
				.from(events)
				.where(eq(events.aggregateId, sessionId))
				.orderBy(asc(events.seq))
		).map((e) => e.type);

	it('a goodbye taken by one node ends the sessions whose heartbeats the other received, exactly once', async () => {
		const { view, repId, status } = await liveSession(a, 'Roaming');
		// The console's feed and heartbeats reach node B; its goodbye, as the page unloads, reaches node A.
		const release = await b.services.lifeline.connected(repId, 'console-r1');
		await pass(clock, 4_000);
		await b.services.lifeline.heartbeat(repId, 'console-r1');
		await a.services.lifeline.goodbye(repId, 'console-r1');
		await release(); // node B sees the feed drop
		expect(await a.services.timers.pending(`console:${repId}`)).toMatchObject({ kind: 'console.gone' });

		await pass(clock, GOODBYE - 1, a, b);
		expect(await status()).toBe('live');
		// Both nodes look for due timers at once: one of them fires it.
		clock.advance(1);
		const fired = await Promise.all([a.services.timers.fireDue(), b.services.timers.fireDue()]);
		expect(fired.reduce((x, y) => x + y, 0)).toBe(1);
		expect(await status()).toBe('ended');
		const log = await logOf(view.id);
		expect(log.filter((t) => t === 'session.ended')).toHaveLength(1);
		expect(log.at(-1)).toBe('session.ended');
		// And nothing fires again later, on either node.
		expect(await pass(clock, GRACE * 2, a, b)).toBe(0);
		expect((await logOf(view.id)).filter((t) => t === 'session.ended')).toHaveLength(1);
	});

	it('a console connected to one node keeps the sessions alive when the other node restarts', async () => {
		const { repId, status } = await liveSession(a, 'Steady');
		const release = await b.services.lifeline.connected(repId, 'console-t1');
		await a.services.lifeline.recover(); // node A boots again and sees B's console: no grace for this rep
		expect(await a.services.timers.pending(`console:${repId}`)).toBeNull();
		await pass(clock, GRACE * 2, a, b);
		expect(await status()).toBe('live');
		await release();
	});
});
