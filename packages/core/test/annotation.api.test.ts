// Remote pointer and annotation through the API (SPEC §9), on PGlite and PostgreSQL: the controlling rep
// points at a screen being shared and everyone else in the session sees where, live, relative to the
// shared surface; nobody else may point or draw; a drawn mark is a session event every page shows until
// Clear, the end of its share or a transfer of control; pointer moves are never stored.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf } from '../src/log/eventLog.ts';
import { POINTER_EVERY_MS } from '../src/media/pointerSender.ts';
import { FakeClock } from '../src/time/clock.ts';
import type { FeedItem } from '../src/trpc/routers/feed.ts';
import { feedUntil, refusalOf, world, type Browser, type World } from './harness.ts';

const pointers = (items: FeedItem[]) => items.flatMap((i) => (i.kind === 'pointer' ? [`${i.name} ${i.x ?? '-'} ${i.y ?? '-'}`] : []));

describe.each(['pglite', 'postgres'] as const)('remote pointer and annotation on %s', (kind) => {
	let w: World;
	// Time is a port: pointer moves are thinned by the clock, which the test moves.
	const clock = new FakeClock();
	beforeAll(async () => {
		w = await world(kind, { clock });
	});
	afterAll(() => w?.close());

	/** Ana controls a session in which Mira shares her screen; Bojan assists. */
	async function sharing() {
		const ana = await w.rep('Ana');
		const bojan = await w.rep('Bojan');
		const view = await (await ana.api()).session.start();
		const mira = w.browser();
		await (await mira.api()).session.join({ number: view.number, name: 'Mira' });
		await (await bojan.api()).session.assist({ number: view.number });
		await (await mira.api()).session.startActivity({ sessionId: view.id, activity: 'sharing' });
		const state = (await w.services.sessions.state(view.id))!;
		const idOf = (name: string) => state.participants.find((p) => p.name === name)!.id;
		return { sessionId: view.id, ana, bojan, mira, miraId: idOf('Mira'), bojanId: idOf('Bojan') };
	}

	it('the customer and the assistant see where the controlling rep points, relative to the shared screen; the rep gets no echo', async () => {
		const { sessionId, ana, bojan, mira, miraId } = await sharing();
		const point = async (x: number | null, y: number | null) => (await ana.api()).annotation.point({ sessionId, share: miraId, x, y });
		const seenByMira = await feedUntil(
			mira,
			'customer',
			async () => {
				await point(0.25, 0.75);
				clock.advance(100);
				await point(null, null);
			},
			(items) => pointers(items).length === 2,
		);
		expect(pointers(seenByMira)).toEqual(['Ana 0.25 0.75', 'Ana - -']);
		expect(seenByMira.find((i) => i.kind === 'pointer')).toMatchObject({ sessionId, share: miraId });

		// Moves the network bunched together (a page sends one per 30 ms at most) are all told, the last one
		// too; a flood beyond a short burst is thinned to what a page sends.
		const seenByBojan = await feedUntil(
			bojan,
			'rep',
			async () => {
				clock.advance(1_000);
				await point(0.5, 0.5);
				clock.advance(5);
				await point(0.6, 0.6);
				clock.advance(2);
				await point(0.7, 0.7);
				clock.advance(1_000);
				for (let i = 0; i < 20; i++) {
					clock.advance(1);
					await point(0.01 * i, 0.1);
				}
				clock.advance(POINTER_EVERY_MS);
				await point(0.9, 0.9);
			},
			(items) => pointers(items).includes('Ana 0.9 0.9'),
		);
		const flood = pointers(seenByBojan).slice(3, -1);
		expect(pointers(seenByBojan).slice(0, 3)).toEqual(['Ana 0.5 0.5', 'Ana 0.6 0.6', 'Ana 0.7 0.7']);
		expect(flood.length).toBeGreaterThanOrEqual(4);
		expect(flood.length).toBeLessThanOrEqual(10);
		// Ana's own console: no pointer of hers comes back (a chat line ends the wait).
		const seenByAna = await feedUntil(
			ana,
			'rep',
			async () => {
				clock.advance(100);
				await point(0.1, 0.1);
				await (await mira.api()).chat.send({ sessionId, messageId: randomUUID(), text: 'see it' });
			},
			(items) => items.some((i) => i.kind === 'session'),
		);
		expect(pointers(seenByAna)).toEqual([]);
	});

	it('only the controlling rep points or draws, and only on a screen being shared; bad marks are refused and change nothing', async () => {
		const { sessionId, ana, bojan, mira, miraId, bojanId } = await sharing();
		const before = (await eventsOf(w.services.db, 'session', sessionId)).length;
		const arrow = {
			sessionId,
			markId: randomUUID(),
			share: miraId,
			kind: 'arrow' as const,
			points: [
				[0.1, 0.1],
				[0.4, 0.3],
			] as [number, number][],
		};
		for (const who of [bojan, mira]) {
			expect(await refusalOf((await who.api()).annotation.point({ sessionId, share: miraId, x: 0.5, y: 0.5 }))).toBe('notController');
			expect(await refusalOf((await who.api()).annotation.draw(arrow))).toBe('notController');
			expect(await refusalOf((await who.api()).annotation.clear({ sessionId, share: null }))).toBe('notController');
		}
		expect(
			await refusalOf(
				w
					.browser()
					.api()
					.then((api) => api.annotation.point({ sessionId, share: miraId, x: 0, y: 0 })),
			),
		).toBe('notSignedIn');
		expect(await refusalOf((await ana.api()).annotation.point({ sessionId, share: bojanId, x: 0.5, y: 0.5 }))).toBe('notShared');
		expect(await refusalOf((await ana.api()).annotation.draw({ ...arrow, share: bojanId }))).toBe('notShared');
		const api = await ana.api();
		expect(
			await refusalOf(
				api.annotation.draw({
					...arrow,
					points: [
						[0, 0],
						[0.5, 0.5],
						[1, 1],
					],
				}),
			),
		).toBe('invalidMark');
		expect(
			await refusalOf(
				api.annotation.draw({
					...arrow,
					points: [
						[0, 0],
						[1.5, 0.5],
					],
				}),
			),
		).toBe('invalidInput');
		expect(await refusalOf(api.annotation.point({ sessionId, share: miraId, x: -0.1, y: 0.5 }))).toBe('invalidInput');
		const tooLong = Array.from({ length: 401 }, (_, i): [number, number] => [i / 401, 0.5]);
		expect(await refusalOf(api.annotation.draw({ ...arrow, kind: 'freehand', points: tooLong }))).toBe('invalidInput');
		// Pointer moves are told, never stored.
		for (let i = 0; i < 20; i++) {
			clock.advance(50);
			await api.annotation.point({ sessionId, share: miraId, x: i / 20, y: 0.5 });
		}
		expect((await eventsOf(w.services.db, 'session', sessionId)).length).toBe(before);
	});

	it('a drawn mark is in every page’s view until Clear, the end of its share, or a transfer of control', async () => {
		const { sessionId, ana, bojan, mira, miraId, bojanId } = await sharing();
		const api = await ana.api();
		const marksOf = async (who: Browser, as: 'rep' | 'customer') => {
			const snapshot = (await (await (await who.api()).feed.events({ as }))[Symbol.asyncIterator]().next()).value as unknown;
			const item = (Array.isArray(snapshot) ? snapshot[1] : ((snapshot as { data?: unknown }).data ?? snapshot)) as Extract<
				FeedItem,
				{ kind: 'snapshot' }
			>;
			return item.sessions.find((s) => s.id === sessionId)!.marks.map((m) => `${m.kind} ${m.points.map((p) => p.join(',')).join(' ')}`);
		};
		const draw = (kind: 'arrow' | 'freehand', points: [number, number][]) =>
			api.annotation.draw({ sessionId, markId: randomUUID(), share: miraId, kind, points });

		await draw('arrow', [
			[0.1, 0.2],
			[0.6, 0.4],
		]);
		await draw('freehand', [
			[0.3, 0.3],
			[0.35, 0.32],
			[0.4, 0.36],
		]);
		const drawn = ['arrow 0.1,0.2 0.6,0.4', 'freehand 0.3,0.3 0.35,0.32 0.4,0.36'];
		expect(await marksOf(mira, 'customer')).toEqual(drawn);
		expect(await marksOf(bojan, 'rep')).toEqual(drawn);
		const log = await eventsOf(w.services.db, 'session', sessionId);
		expect(log.filter((e) => e.type === 'mark.drawn')).toHaveLength(2);

		await api.annotation.clear({ sessionId, share: miraId });
		expect(await marksOf(mira, 'customer')).toEqual([]);

		await draw('arrow', [
			[0.5, 0.5],
			[0.9, 0.9],
		]);
		await (await mira.api()).session.stopActivity({ sessionId, activity: 'sharing' });
		expect(await marksOf(bojan, 'rep')).toEqual([]);

		await (await mira.api()).session.startActivity({ sessionId, activity: 'sharing' });
		await draw('arrow', [
			[0.5, 0.5],
			[0.9, 0.9],
		]);
		await api.session.transferControl({ sessionId, to: bojanId, leave: false });
		expect(await marksOf(mira, 'customer')).toEqual([]);
		// Bojan controls now: he may draw once Mira shares again; Ana may not.
		await (await mira.api()).session.startActivity({ sessionId, activity: 'sharing' });
		expect(
			await refusalOf(
				draw('arrow', [
					[0, 0],
					[1, 1],
				]),
			),
		).toBe('notController');
		await (
			await bojan.api()
		).annotation.draw({
			sessionId,
			markId: randomUUID(),
			share: miraId,
			kind: 'arrow',
			points: [
				[0, 0],
				[1, 1],
			],
		});
		expect(await marksOf(mira, 'customer')).toEqual(['arrow 0,0 1,1']);
	});
});
