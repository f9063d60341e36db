// Remote pointer and annotation as people use them (SPEC §9): Marko shares his screen from a phone-sized
// window; Ana, in control on a desktop, points at it and draws an arrow. Marko sees her pointer and the
// arrow over his own shared screen at the same place relative to the screen — his view is a different
// size — and they go when she clears them.

import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.ts';
import { customerSharesScreen, gone, receivesFrames, repWithCustomer, visible, waitFor } from './support.ts';

let browser: Browser;
beforeAll(async () => {
	browser = await launchChromium();
});
afterAll(() => browser?.close());

const box = async (l: Locator) => (await l.boundingBox())!;
/** Where a page point falls on a surface, 0–1 across and down. */
const relative = (x: number, y: number, surface: { x: number; y: number; width: number; height: number }) => [
	(x - surface.x) / surface.width,
	(y - surface.y) / surface.height,
];
/** A box that has stopped moving (the stage settles as the bar and the picture take their sizes). */
async function steady(l: Locator) {
	let before = await box(l);
	for (;;) {
		await new Promise((r) => setTimeout(r, 250));
		const now = await box(l);
		if (['x', 'y', 'width', 'height'].every((k) => Math.abs(now[k as 'x'] - before[k as 'x']) < 0.5)) return now;
		before = now;
	}
}
const close = (a: number[], b: number[], within = 0.02) => a.every((v, i) => Math.abs(v - b[i]!) <= within);

describe('remote pointer and annotation', () => {
	it('the customer sees where the rep points and the arrow she draws, at the same place on a smaller view; Clear takes it away', async () => {
		const { ana, marko, close: leave } = await repWithCustomer(browser, { phone: true });
		try {
			await customerSharesScreen(marko.page);
			await receivesFrames(ana.page, 'Screen of Marko');

			const anaView = ana.page.getByRole('figure').filter({ hasText: 'Screen of Marko' });
			const anaSurface = anaView.locator('.surface');
			const markoView = marko.page.getByRole('figure').filter({ hasText: 'Your shared screen' });
			const markoSurface = markoView.locator('.surface');
			// Both views have the picture's size (the surface takes it once the video knows it).
			const fitted = (surface: Locator) =>
				waitFor(() =>
					surface.evaluate((el) => {
						const v = el.querySelector('video')!;
						const r = el.getBoundingClientRect();
						return v.videoWidth > 0 && Math.abs(r.width / r.height - v.videoWidth / v.videoHeight) < 0.02;
					}),
				);
			await fitted(anaSurface);
			await fitted(markoSurface);

			// Pointer: Ana moves over a quarter across, half down.
			await anaView.getByRole('button', { name: 'Pointer', exact: true }).click();
			let a = await steady(anaSurface);
			await ana.page.mouse.move(a.x + a.width * 0.25, a.y + a.height * 0.5, { steps: 5 });
			const pointer = markoSurface.locator('[data-pointer="Ana"]');
			await visible(pointer);
			await waitFor(async () => {
				const p = await box(pointer);
				return close(relative(p.x, p.y, await box(markoSurface)), [0.25, 0.5]);
			});
			expect((await box(markoSurface)).width).toBeLessThan(a.width);
			// The pointer leaves the screen: it goes at Marko's too.
			await ana.page.mouse.move(a.x - 40, a.y - 40);
			await gone(pointer);

			// Arrow: dragged from (0.2, 0.3) to (0.6, 0.7) of the shared screen.
			await anaView.getByRole('button', { name: 'Arrow', exact: true }).click();
			a = await steady(anaSurface);
			await ana.page.mouse.move(a.x + a.width * 0.2, a.y + a.height * 0.3);
			await ana.page.mouse.down();
			await ana.page.mouse.move(a.x + a.width * 0.6, a.y + a.height * 0.7, { steps: 6 });
			await ana.page.mouse.up();
			const arrow = markoSurface.locator('[data-mark="arrow"] line').last();
			await visible(arrow);
			const m = await steady(markoSurface);
			const ends = await arrow.evaluate((l) => ['x1', 'y1', 'x2', 'y2'].map((k) => Number(l.getAttribute(k))));
			expect(close([ends[0]! / m.width, ends[1]! / m.height, ends[2]! / m.width, ends[3]! / m.height], [0.2, 0.3, 0.6, 0.7])).toBe(true);

			// Clear: gone for both.
			await anaView.getByRole('button', { name: 'Clear', exact: true }).click();
			await gone(markoSurface.locator('[data-mark]'));
			await gone(anaSurface.locator('[data-mark]'));
		} finally {
			await leave();
		}
	});
});
