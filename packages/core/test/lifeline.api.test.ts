// The console's lifeline (SPEC §2): a close ends the rep's sessions in a moment unless the console
// comes back (a reload); a lost connection ends them only after the grace period; after a restart the
// grace period starts again for every live session.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleLifeline } from '../src/service/consoleLifeline.ts';
import { world, type World } from './harness.ts';

const GOODBYE = 300;
const GRACE = 1200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('console lifeline', () => {
	let w: World;
	beforeAll(async () => {
		w = await world('pglite', { lifeline: { goodbyeMs: GOODBYE, gracePeriodMs: async () => GRACE } });
	});
	afterAll(() => w?.close());

	async function liveSession(name: string) {
		const rep = await w.rep(name);
		const view = await (await rep.api()).session.start();
		const repId = (await (await rep.api()).auth.status()).me!.id;
		return { rep, view, repId, status: async () => (await w.services.sessions.state(view.id))!.status };
	}

	it('a close (goodbye, then the feed drops) ends the session within the goodbye delay', async () => {
		const { repId, status } = await liveSession('Closer');
		const disconnect = w.services.lifeline.connected(repId, 'console-a1');
		w.services.lifeline.goodbye(repId, 'console-a1');
		disconnect();
		await sleep(GOODBYE / 2);
		expect(await status()).toBe('live');
		await sleep(GOODBYE + 400);
		expect(await status()).toBe('ended');
	});

	it('a reload (goodbye, drop, and the console back in time) ends nothing', async () => {
		const { repId, status } = await liveSession('Reloader');
		const disconnect = w.services.lifeline.connected(repId, 'console-b1');
		w.services.lifeline.goodbye(repId, 'console-b1');
		disconnect();
		await sleep(GOODBYE / 3);
		const again = w.services.lifeline.connected(repId, 'console-b2');
		await sleep(GOODBYE + GRACE);
		expect(await status()).toBe('live');
		again();
	});

	it('a lost connection (no goodbye) waits for the grace period', async () => {
		const { repId, status } = await liveSession('Dropper');
		w.services.lifeline.connected(repId, 'console-c1')();
		await sleep(GOODBYE + 300);
		expect(await status()).toBe('live');
		await sleep(GRACE);
		expect(await status()).toBe('ended');
	});

	it('another console of the same rep keeps the sessions alive', async () => {
		const { repId, status } = await liveSession('TwoTabs');
		const tab1 = w.services.lifeline.connected(repId, 'console-d1');
		const tab2 = w.services.lifeline.connected(repId, 'console-d2');
		w.services.lifeline.goodbye(repId, 'console-d1');
		tab1();
		await sleep(GOODBYE + GRACE);
		expect(await status()).toBe('live');
		tab2();
	});

	it('after a restart every live session gets the grace period again', async () => {
		const present = await liveSession('Present');
		const absent = await liveSession('Absent');
		// A new node over the same database: nobody connected yet.
		const restarted = new ConsoleLifeline({ db: w.services.db, sessions: w.services.sessions, gracePeriodMs: async () => GRACE });
		await restarted.recover();
		const release = restarted.connected(present.repId, 'console-e1');
		await sleep(GRACE / 2);
		expect(await absent.status()).toBe('live');
		await sleep(GRACE);
		expect(await absent.status()).toBe('ended');
		expect(await present.status()).toBe('live');
		release();
		restarted.close();
	});
});
