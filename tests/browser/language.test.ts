// The console's language switch (UI.md): EN → SR in the middle of a session changes every word at once,
// without a reload — no "Leave site?" prompt, the customer's shared screen still playing, the session
// still the rep's — and the choice is kept for the rep's next sign-in.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.ts';
import { customerSharesScreen, receivesFrames, repWithCustomer, visible } from './support.ts';

let browser: Browser;
beforeAll(async () => {
	browser = await launchChromium();
});
afterAll(() => browser?.close());

describe('the language switch', () => {
	it('switches the console to Serbian and back without a reload, the session and its shared screen going on', async () => {
		const { ana, marko, close } = await repWithCustomer(browser);
		try {
			await customerSharesScreen(marko.page);
			await receivesFrames(ana.page, 'Screen of Marko');
			// A reload would forget this, and would ask "Leave site?" first.
			await ana.page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
			let prompted = false;
			let reloading = false;
			ana.page.on('dialog', (d) => {
				if (reloading) return void d.accept(); // the console's own "Leave site?" on a real reload
				prompted = true;
				void d.dismiss();
			});

			await ana.page.getByRole('button', { name: 'SR', exact: true }).click();
			await visible(ana.page.getByRole('button', { name: 'Završi sesiju' }));
			await visible(ana.page.getByRole('button', { name: 'Odjavi se' }));
			expect(await ana.page.evaluate(() => document.documentElement.lang)).toBe('sr');
			expect(await ana.page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
			expect(prompted).toBe(false);
			// The share never stopped: still decoding frames, now captioned in Serbian.
			await receivesFrames(ana.page, 'Ekran: Marko');
			expect(await ana.page.getByRole('button', { name: 'End session' }).count()).toBe(0);

			// Kept: a new page of the console opens in Serbian.
			reloading = true;
			await ana.page.reload();
			await visible(ana.page.getByRole('button', { name: 'Završi sesiju' }));
			await ana.page.getByRole('button', { name: 'EN', exact: true }).click();
			await visible(ana.page.getByRole('button', { name: 'End session' }));
		} finally {
			await close();
		}
	});
});
