// The supervisor view (SPEC §8) through the API: an administrator's feed shows every session not ended,
// every queue (waiting, longest wait, offers out) and every agent (state, load, offers), and shows it again
// as a customer asks for help, routing makes an offer and an agent changes their state. Nobody else may
// watch. PGlite and PostgreSQL; a fake clock, routing passes run by hand.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupervisorView } from '../src/service/supervision.ts';
import { FakeClock } from '../src/time/clock.ts';
import { refusalOf, world, type World } from './harness.ts';

describe.each(['pglite', 'postgres'] as const)('supervisor view on %s', (kind) => {
	let w: World;
	const clock = new FakeClock();
	let release: () => Promise<void> = async () => {};
	beforeAll(async () => {
		w = await world(kind, { clock });
	});
	afterAll(async () => {
		await release();
		await w?.close();
	});

	it('an administrator watches sessions, queues and agents change; a rep may not watch', async () => {
		const admin = await w.admin.api();
		const eva = await w.rep('Eva');
		const evaId = (await (await eva.api()).auth.status()).me!.id;
		await admin.admin.updateRep({ id: evaId, isAgent: true });
		release = await w.services.lifeline.connected(evaId, 'console-eva');
		const queueId = (await admin.admin.createQueue({ name: 'Printers', members: [evaId], routing: 'mostIdle', openToCustomers: true })).id;
		const hana = await w.rep('Hana');
		const started = await (await hana.api()).session.start();
		await (await w.browser().api()).session.join({ number: started.number, name: 'Mira' });
		await (await hana.api()).session.startActivity({ sessionId: started.id, activity: 'recording' });

		const pictures = (await admin.supervisor.watch())[Symbol.asyncIterator]();
		/** The next picture that shows what `ok` looks for (a few may come first: news folds into pictures). */
		const until = async (ok: (v: SupervisorView) => boolean): Promise<SupervisorView> => {
			for (let i = 0; i < 20; i++) {
				const { value, done } = await pictures.next();
				if (done) throw new Error('the supervisor feed ended');
				if (ok(value)) return value;
			}
			throw new Error('the supervisor view never showed it');
		};
		try {
			const first = await until(() => true);
			expect(first.sessions).toEqual([
				expect.objectContaining({
					numberFormatted: started.numberFormatted,
					status: 'live',
					controller: 'Hana',
					customers: ['Mira'],
					activities: ['recording'],
					waitingIn: null,
				}),
			]);
			expect(first.queues).toEqual([
				expect.objectContaining({ name: 'Printers', waiting: 0, longestWaitSince: null, offersOut: 0, membersThere: 1, members: 1 }),
			]);
			const evaIn = (v: SupervisorView) => v.agents.find((a) => a.name === 'Eva')!;
			expect(evaIn(first)).toMatchObject({ state: 'available', load: 0, capacity: 1, offersOut: 0 });

			const askedAt = clock.now();
			await (await w.browser().api()).acd.requestHelp({ name: 'Nina', problem: 'Paper jam', queueId });
			const asked = await until((v) => v.queues[0]!.waiting === 1);
			expect(asked.queues[0]).toMatchObject({ longestWaitSince: askedAt, offersOut: 0 });
			expect(asked.sessions.find((s) => s.customers[0] === 'Nina')).toMatchObject({
				status: 'waiting',
				controller: null,
				waitingIn: 'Printers',
			});

			await w.services.router.pass();
			const offered = await until((v) => v.queues[0]!.offersOut === 1);
			expect(evaIn(offered)).toMatchObject({ offersOut: 1 });

			await (await eva.api()).acd.setState({ state: 'busy' });
			await until((v) => evaIn(v).state === 'busy');
		} finally {
			await pictures.return?.(undefined);
		}

		expect(await refusalOf((await hana.api()).supervisor.watch())).toBe('forbidden');
		expect(await refusalOf((await w.browser().api()).supervisor.watch())).toBe('notSignedIn');
	});
});
