// The controlling rep's pointer on its way out: in order, never two requests at once, the last place always,
// and a resting pointer kept alive for the viewers (who fade one they have not heard of).

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MarkPoint } from '../session/model.ts';
import { POINTER_IDLE_MS, POINTER_RESTATE_MS, pointerSender } from './pointerSender.ts';

const timers = {
	now: () => Date.now(),
	setTimeout: (run: () => void, ms: number) => setTimeout(run, ms),
	clearTimeout: (h: unknown) => clearTimeout(h as number),
};

/** A server that answers each request after `latency` ms, noting what it was told and when. */
function server(latency: number) {
	const told: { at: number; place: MarkPoint | null }[] = [];
	let open = 0;
	let mostOpen = 0;
	const send = (place: MarkPoint | null) => {
		told.push({ at: Date.now(), place });
		mostOpen = Math.max(mostOpen, ++open);
		return new Promise<void>((r) =>
			setTimeout(() => {
				open--;
				r();
			}, latency),
		);
	};
	return { told, send, mostOpen: () => mostOpen };
}

describe('the pointer a rep sends', () => {
	beforeEach(() => vi.useFakeTimers({ now: 0 }));
	afterEach(() => vi.useRealTimers());

	it('sends the first place at once, then only the newest, one request at a time, the last place always', async () => {
		const s = server(45);
		const { move } = pointerSender(s.send, timers);
		for (let i = 0; i <= 10; i++) {
			move([i / 10, 0.5]);
			await vi.advanceTimersByTimeAsync(5);
		}
		await vi.advanceTimersByTimeAsync(200);
		expect(s.mostOpen()).toBe(1);
		const places = s.told.map((t) => t.place![0]);
		expect(places[0]).toBe(0);
		expect(places.at(-1)).toBe(1);
		// In order, each newer than the last, fewer than the mouse gave.
		expect(places).toEqual([...places].sort((a, b) => a - b));
		expect(places.length).toBeLessThan(11);
		// Never closer together than a page sends.
		s.told.slice(1).forEach((t, i) => expect(t.at - s.told[i]!.at).toBeGreaterThanOrEqual(30));
	});

	it('keeps telling a resting pointer so that viewers keep it, and stops once it left', async () => {
		const s = server(10);
		const { move } = pointerSender(s.send, timers);
		move([0.25, 0.5]);
		await vi.advanceTimersByTimeAsync(3 * POINTER_IDLE_MS);
		const gaps = s.told.slice(1).map((t, i) => t.at - s.told[i]!.at);
		expect(gaps.length).toBeGreaterThanOrEqual(5);
		for (const g of gaps) expect(g).toBeLessThan(POINTER_IDLE_MS);
		expect(new Set(s.told.map((t) => t.place!.join()))).toEqual(new Set(['0.25,0.5']));

		const after = s.told.length;
		move(null);
		await vi.advanceTimersByTimeAsync(3 * POINTER_RESTATE_MS);
		expect(s.told.slice(after).map((t) => t.place)).toEqual([null]);
	});

	it('does not tell a refused place again (control gone, the share ended); the next move tries anew', async () => {
		const tried: (MarkPoint | null)[] = [];
		let refuse = true;
		const { move } = pointerSender((place) => {
			tried.push(place);
			return refuse ? Promise.reject(new Error('notController')) : Promise.resolve();
		}, timers);
		move([0.5, 0.5]);
		await vi.advanceTimersByTimeAsync(3 * POINTER_IDLE_MS);
		expect(tried).toEqual([[0.5, 0.5]]);
		refuse = false;
		move([0.6, 0.6]);
		await vi.advanceTimersByTimeAsync(POINTER_RESTATE_MS + 100);
		expect(tried).toEqual([
			[0.5, 0.5],
			[0.6, 0.6],
			[0.6, 0.6],
		]);
	});

	it('tells that the pointer left after the move still on its way, not before it', async () => {
		const s = server(80);
		const { move } = pointerSender(s.send, timers);
		move([0.1, 0.1]);
		await vi.advanceTimersByTimeAsync(10);
		move([0.2, 0.2]);
		move(null);
		await vi.advanceTimersByTimeAsync(500);
		expect(s.told.map((t) => t.place)).toEqual([[0.1, 0.1], null]);
		expect(s.mostOpen()).toBe(1);
	});
});
