// The console must stay open (SPEC §2): closing it ends the rep's sessions within 5 s; a reload
// does not end anything. The site's clock is moved (no sleeping): each move waits until the server has
// acted on the new time, and whether the session is live is asked of the server.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, person } from './chromium.ts';
import { GENEROUS_LIMITS } from './server.ts';
import {
	admin,
	advanceClock,
	createRep,
	joinAsCustomer,
	signIn,
	siteNow,
	startSession,
	stillLive,
	trpcCall,
	visible,
	waitFor,
} from './support.ts';

let browser: Browser;
beforeAll(async () => {
	browser = await launchChromium();
});
afterAll(() => browser?.close());

describe('the console must stay open', () => {
	it('a reload ends nothing; closing the console ends the session 5 s later and the customer sees it', async () => {
		const rep = await person(browser);
		const customer = await person(browser);
		rep.page.on('dialog', (d) => void d.accept()); // the "leave this page?" warning
		await signIn(rep.page, await createRep('Keeper'));
		const number = await startSession(rep.page);
		const sessionId = (await rep.page.locator('[data-session-id]').getAttribute('data-session-id'))!;
		await joinAsCustomer(customer.page, number, 'Zoran');
		await visible(customer.page.getByText('Keeper from Support is helping you'));

		await rep.page.reload();
		await visible(rep.page.getByRole('complementary').getByText('Zoran'));
		// Past the 5 s the reload's goodbye gave the console: it came back, so nothing ended.
		await advanceClock(6_500);
		expect(await stillLive(customer.page, sessionId)).toBe(true);
		await visible(customer.page.getByText('Keeper from Support is helping you'));

		const closedAt = siteNow();
		// The page says goodbye as it unloads; the site's clock moves only once it has (a loaded machine takes a
		// while to run the unload, and the 5 s count from the goodbye), and then in small steps.
		const closed = rep.page.waitForEvent('close');
		await rep.page.close({ runBeforeUnload: true });
		await closed;
		expect(await stillLive(customer.page, sessionId)).toBe(true); // not at once: the console has 5 s to come back
		await waitFor(async () => {
			await advanceClock(250);
			return !(await stillLive(customer.page, sessionId));
		});
		const took = siteNow() - closedAt;
		expect(took).toBeGreaterThanOrEqual(5_000);
		expect(took).toBeLessThan(8_000);
		await visible(customer.page.getByText('The support session has ended'));
		await rep.context.close();
		await customer.context.close();
	});

	it('a dropped connection (the console goes offline) ends the session only after the grace period', async () => {
		const grace = 12;
		const silence = Number(GENEROUS_LIMITS.TANDEM_CONSOLE_SILENCE_SECONDS);
		await trpcCall('admin.updateSettings', { gracePeriodSeconds: grace }, { cookie: await admin() });
		try {
			const rep = await person(browser);
			const customer = await person(browser);
			await signIn(rep.page, await createRep('Offline'));
			const number = await startSession(rep.page);
			const sessionId = (await rep.page.locator('[data-session-id]').getAttribute('data-session-id'))!;
			await joinAsCustomer(customer.page, number, 'Vesna');
			await visible(customer.page.getByText('Offline from Support is helping you'));

			const droppedAt = siteNow();
			await rep.context.setOffline(true);
			// Past the 5 s a closed console gets, the session is still there: no goodbye was said.
			await advanceClock(7_000);
			expect(await stillLive(customer.page, sessionId)).toBe(true);
			await waitFor(async () => {
				await advanceClock(1_000);
				return !(await stillLive(customer.page, sessionId));
			}, 60_000);
			// The console is noticed silent, then it has the grace period to come back.
			const took = siteNow() - droppedAt;
			expect(took).toBeGreaterThanOrEqual(grace * 1000);
			expect(took).toBeLessThan((silence + grace + 6) * 1000);
			await visible(customer.page.getByText('The support session has ended'));
			await rep.context.close();
			await customer.context.close();
		} finally {
			await trpcCall('admin.updateSettings', { gracePeriodSeconds: 30 }, { cookie: await admin() });
		}
	});

	it('the heartbeat goes on while the page itself cannot run (as a hidden tab is throttled): nothing ends', async () => {
		const grace = 5;
		await trpcCall('admin.updateSettings', { gracePeriodSeconds: grace }, { cookie: await admin() });
		try {
			const rep = await person(browser);
			const customer = await person(browser);
			await signIn(rep.page, await createRep('Busy'));
			const number = await startSession(rep.page);
			const sessionId = (await rep.page.locator('[data-session-id]').getAttribute('data-session-id'))!;
			await joinAsCustomer(customer.page, number, 'Nada');
			await visible(customer.page.getByText('Busy from Support is helping you'));
			// The console's page runs nothing for longer than the silence and the grace period together
			// (real time: the server's sweeps run on it); its worker still beats.
			const silence = Number(GENEROUS_LIMITS.TANDEM_CONSOLE_SILENCE_SECONDS);
			await rep.page.evaluate(
				(ms) => {
					const until = Date.now() + ms;
					while (Date.now() < until) {
						/* the page's own timers cannot fire */
					}
				},
				(silence + grace + 4) * 1000,
			);
			expect(await stillLive(customer.page, sessionId)).toBe(true);
			await visible(customer.page.getByText('Busy from Support is helping you'));
			await rep.context.close();
			await customer.context.close();
		} finally {
			await trpcCall('admin.updateSettings', { gracePeriodSeconds: 30 }, { cookie: await admin() });
		}
	});
});
