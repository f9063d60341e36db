// The console must stay open (SPEC §2): closing it ends the rep's sessions within 5 s; a reload
// does not end anything.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, person } from './chromium.ts';
import { admin, createRep, joinAsCustomer, signIn, startSession, trpcCall, visible } from './support.ts';

let browser: Browser;
beforeAll(async () => {
	browser = await launchChromium();
});
afterAll(() => browser?.close());

describe('the console must stay open', () => {
	it('a reload ends nothing; closing the console ends the session and the customer sees it', async () => {
		const rep = await person(browser);
		const customer = await person(browser);
		rep.page.on('dialog', (d) => void d.accept()); // the "leave this page?" warning
		await signIn(rep.page, await createRep('Keeper'));
		const number = await startSession(rep.page);
		await joinAsCustomer(customer.page, number, 'Zoran');
		await visible(customer.page.getByText('Keeper from Support is helping you'));

		await rep.page.reload();
		await visible(rep.page.getByRole('complementary').getByText('Zoran'));
		await new Promise((r) => setTimeout(r, 6500));
		expect(await customer.page.getByText('Keeper from Support is helping you').isVisible()).toBe(true);

		const closedAt = Date.now();
		await rep.page.close({ runBeforeUnload: true });
		await visible(customer.page.getByText('The support session has ended'), 12_000);
		const took = Date.now() - closedAt;
		expect(took).toBeGreaterThan(3_000); // not at once: the console had 5 s to come back
		await rep.context.close();
		await customer.context.close();
	});

	it('a dropped connection (the console goes offline) ends the session only after the grace period', async () => {
		const grace = 12;
		await trpcCall('admin.updateSettings', { gracePeriodSeconds: grace }, { cookie: await admin() });
		try {
			const rep = await person(browser);
			const customer = await person(browser);
			await signIn(rep.page, await createRep('Offline'));
			const number = await startSession(rep.page);
			await joinAsCustomer(customer.page, number, 'Vesna');
			await visible(customer.page.getByText('Offline from Support is helping you'));

			const droppedAt = Date.now();
			await rep.context.setOffline(true);
			// Past the 5 s a closed console gets, the session is still there: no goodbye was said.
			await new Promise((r) => setTimeout(r, 7000));
			expect(await customer.page.getByText('Offline from Support is helping you').isVisible()).toBe(true);
			await visible(customer.page.getByText('The support session has ended'), 30_000);
			expect(Date.now() - droppedAt).toBeGreaterThanOrEqual(grace * 1000);
			await rep.context.close();
			await customer.context.close();
		} finally {
			await trpcCall('admin.updateSettings', { gracePeriodSeconds: 30 }, { cookie: await admin() });
		}
	});
});
