// The stage as people look at it (UI.md, "The stage"; SPEC §12 Full screen / Fit / Actual size): a
// customer's shared screen fills the rep's stage; Actual size draws one shared pixel on one pixel of the
// rep's display, Zoom in enlarges it a step, a picture larger than the stage pans by dragging, Full screen
// fills the display; cameras sit beside the share with their names under the picture, never over it; the
// customer sees their own camera; on a phone the customer gets the same controls for the rep's share.

import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.ts';
import { customerSharesScreen, receivesFrames, repWithCustomer, visible, waitFor } from './support.ts';

let browser: Browser;
beforeAll(async () => {
	browser = await launchChromium();
});
afterAll(() => browser?.close());

type Box = { x: number; y: number; width: number; height: number };
const box = async (l: Locator): Promise<Box> => (await l.boundingBox())!;
/** The shared picture's own size (pixels of the shared screen). */
const pictureOf = (video: Locator) => video.evaluate((v: HTMLVideoElement) => ({ width: v.videoWidth, height: v.videoHeight }));
const near = (a: number, b: number) => Math.abs(a - b) <= 2;

/** The view of one shared screen: its figure, picture, scrolling viewport and controls. */
function screenView(page: Page, caption: string) {
	const figure = page.getByRole('figure').filter({ hasText: caption });
	return {
		figure,
		video: figure.locator('video'),
		viewport: figure.getByRole('group', { name: caption }),
		button: (name: string) => figure.getByRole('button', { name, exact: true }),
		zoom: figure.locator('output'),
	};
}

describe('the stage', () => {
	it('Fit, Actual size, Zoom in, panning and Full screen change what the rep sees of a shared screen; cameras beside it, captions under them', async () => {
		const { ana, marko, close: leave } = await repWithCustomer(browser);
		try {
			await customerSharesScreen(marko.page);
			await receivesFrames(ana.page, 'Screen of Marko');

			const view = screenView(ana.page, 'Screen of Marko');
			const picture = await pictureOf(view.video);
			expect(picture.width).toBeGreaterThan(0);

			// Fit: the whole picture in the stage, touching two of its sides.
			expect(await view.button('Fit').getAttribute('aria-pressed')).toBe('true');
			let stage = await box(view.viewport);
			let shown = await box(view.video);
			expect(shown.width).toBeLessThanOrEqual(stage.width + 1);
			expect(shown.height).toBeLessThanOrEqual(stage.height + 1);
			expect(near(shown.width, stage.width) || near(shown.height, stage.height)).toBe(true);
			expect(near(shown.width / shown.height, picture.width / picture.height)).toBe(true);
			const fitted = shown;

			// Actual size: one pixel of Marko's screen on one pixel of Ana's (a device pixel ratio of 1 here).
			await view.button('Actual size').click();
			await waitFor(async () => near((await box(view.video)).width, picture.width));
			shown = await box(view.video);
			expect(near(shown.height, picture.height)).toBe(true);
			expect(await view.zoom.textContent()).toBe('100%');

			// Zoom in: one step, 125 %, by the button and then by the keyboard.
			await view.button('Zoom in').click();
			await waitFor(async () => near((await box(view.video)).width, picture.width * 1.25));
			expect(await view.zoom.textContent()).toBe('125%');
			await view.viewport.focus();
			await ana.page.keyboard.press('+');
			await waitFor(async () => near((await box(view.video)).width, picture.width * 1.5));
			expect(await view.button('Actual size').getAttribute('aria-pressed')).toBe('false');

			// Larger than the stage: a drag pans it.
			const scroll = () => view.viewport.evaluate((e) => ({ left: e.scrollLeft, top: e.scrollTop, wide: e.scrollWidth > e.clientWidth }));
			expect((await scroll()).wide).toBe(true);
			stage = await box(view.viewport);
			await ana.page.mouse.move(stage.x + stage.width / 2, stage.y + stage.height / 2);
			await ana.page.mouse.down();
			await ana.page.mouse.move(stage.x + stage.width / 2 - 120, stage.y + stage.height / 2 - 60, { steps: 4 });
			await ana.page.mouse.up();
			expect((await scroll()).left).toBeGreaterThanOrEqual(100);

			// 0 fits again.
			await ana.page.keyboard.press('0');
			await waitFor(async () => near((await box(view.video)).width, fitted.width));
			expect(await view.button('Fit').getAttribute('aria-pressed')).toBe('true');

			// Full screen: the view fills the display, fitted; Esc leaves it.
			await view.button('Full screen').click();
			await waitFor(async () => (await view.button('Full screen').getAttribute('aria-pressed')) === 'true');
			expect(await view.figure.evaluate((f) => document.fullscreenElement === f)).toBe(true);
			const display = ana.page.viewportSize()!;
			await waitFor(async () => (await box(view.viewport)).width > fitted.width + 100);
			stage = await box(view.viewport);
			shown = await box(view.video);
			expect(stage.width).toBeGreaterThan(display.width * 0.9);
			expect(near(shown.width, stage.width) || near(shown.height, stage.height)).toBe(true);
			await ana.page.evaluate(() => document.exitFullscreen());
			await waitFor(async () => (await view.button('Full screen').getAttribute('aria-pressed')) === 'false');

			// Ana's camera: a tile beside the share, its name under the picture; Marko sees his own camera.
			await ana.page.getByRole('button', { name: 'Camera' }).click();
			await receivesFrames(marko.page, 'Camera of Ana');
			await receivesFrames(ana.page, 'Your camera');
			const mine = ana.page.getByRole('figure').filter({ hasText: 'Your camera' });
			const tile = await box(mine.locator('video'));
			const caption = await box(mine.locator('figcaption'));
			expect(caption.y).toBeGreaterThanOrEqual(tile.y + tile.height - 1);
			expect(tile.x).toBeGreaterThanOrEqual((await box(view.viewport)).x + (await box(view.viewport)).width - 1);
			await marko.page.getByRole('button', { name: 'Turn on my camera' }).click();
			await marko.page.getByRole('dialog').getByRole('button', { name: 'Turn on camera' }).click();
			await receivesFrames(marko.page, 'Your camera');
			await receivesFrames(ana.page, 'Camera of Marko');
		} finally {
			await leave();
		}
	});

	it('on a phone the customer reads the rep’s shared screen at actual size, panning it, and in full screen', async () => {
		const { ana, marko, close: leave } = await repWithCustomer(browser, { phone: true });
		try {
			await visible(ana.page.getByRole('button', { name: 'Share my screen' }));
			await ana.page.getByRole('button', { name: 'Share my screen' }).click();
			await receivesFrames(marko.page, 'Screen of Ana');

			const view = screenView(marko.page, 'Screen of Ana');
			const picture = await pictureOf(view.video);
			const fitted = await box(view.video);
			expect(fitted.width).toBeLessThanOrEqual(390);
			await view.button('Actual size').click();
			await waitFor(async () => near((await box(view.video)).width, picture.width));
			const wide = await view.viewport.evaluate((e) => e.scrollWidth > e.clientWidth);
			expect(wide).toBe(picture.width > 390);
			await view.button('Full screen').click();
			await waitFor(() => marko.page.evaluate(() => document.fullscreenElement !== null));
			await view.button('Fit').click();
			await waitFor(async () => {
				const stage = await box(view.viewport);
				const shown = await box(view.video);
				return near(shown.width, stage.width) || near(shown.height, stage.height);
			});
			expect((await box(view.viewport)).height).toBeGreaterThan(fitted.height);
		} finally {
			await leave();
		}
	});
});
