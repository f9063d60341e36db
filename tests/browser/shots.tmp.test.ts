import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, it } from 'vitest';
import { launchChromium, person } from './chromium.ts';
import { customerSharesScreen, receivesFrames, repWithCustomer, visible } from './support.ts';

let browser: Browser;
beforeAll(async () => {
	browser = await launchChromium();
});
afterAll(() => browser?.close());

async function shot(page: Page, name: string) {
	await page.waitForTimeout(400);
	await page.screenshot({ path: `/tmp/shots/${name}.png` });
}

it('landing', async () => {
	for (const scheme of ['light', 'dark'] as const)
		for (const [w, h, tag] of [
			[1440, 900, 'desk'],
			[390, 844, 'phone'],
		] as const)
			for (const locale of ['en-US', 'sr-Latn-RS'] as const) {
				const { page, context } = await person(browser, locale);
				await page.setViewportSize({ width: w, height: h });
				await page.emulateMedia({ colorScheme: scheme });
				await page.goto('/');
				await shot(page, `landing-${tag}-${scheme}-${locale.slice(0, 2)}`);
				await context.close();
			}
}, 120_000);

it('session states', async () => {
	for (const scheme of ['light', 'dark'] as const) {
		const { ana, marko, close } = await repWithCustomer(browser, { phone: true });
		try {
			await ana.page.emulateMedia({ colorScheme: scheme });
			await marko.page.emulateMedia({ colorScheme: scheme });
			await shot(marko.page, `cust-joined-phone-${scheme}`);
			await customerSharesScreen(marko.page);
			await receivesFrames(ana.page, 'Screen of Marko');
			await ana.page.getByRole('button', { name: 'Camera' }).click();
			await receivesFrames(marko.page, 'Camera of Ana');
			await marko.page.getByRole('button', { name: 'Turn on my camera' }).click();
			await marko.page.getByRole('dialog').getByRole('button', { name: 'Turn on camera' }).click();
			await receivesFrames(ana.page, 'Camera of Marko');
			const view = ana.page.getByRole('figure').filter({ hasText: 'Screen of Marko' });
			await view.getByRole('button', { name: 'Arrow', exact: true }).click();
			const a = (await view.locator('.surface').boundingBox())!;
			await ana.page.mouse.move(a.x + a.width * 0.2, a.y + a.height * 0.3);
			await ana.page.mouse.down();
			await ana.page.mouse.move(a.x + a.width * 0.6, a.y + a.height * 0.7, { steps: 6 });
			await ana.page.mouse.up();
			await view.getByRole('button', { name: 'Pointer', exact: true }).click();
			await ana.page.mouse.move(a.x + a.width * 0.4, a.y + a.height * 0.4, { steps: 4 });
			await ana.page.getByRole('button', { name: 'Record' }).click().catch(() => undefined);
			await ana.page.waitForTimeout(1500);
			await shot(ana.page, `console-share-desk-${scheme}`);
			await shot(marko.page, `cust-share-phone-${scheme}`);
			await marko.page.setViewportSize({ width: 1440, height: 900 });
			await shot(marko.page, `cust-share-desk-${scheme}`);
			await marko.page.setViewportSize({ width: 390, height: 844 });
			await ana.page.getByRole('button', { name: 'SR', exact: true }).click();
			await visible(ana.page.getByRole('button', { name: 'Završi sesiju' }));
			await shot(ana.page, `console-share-desk-sr-${scheme}`);
			await ana.page.setViewportSize({ width: 390, height: 844 });
			await shot(ana.page, `console-share-phone-sr-${scheme}`);
			await ana.page.setViewportSize({ width: 1440, height: 900 });
			await ana.page.getByRole('button', { name: 'EN', exact: true }).click();
			await ana.page.getByRole('button', { name: 'End session' }).click();
			await shot(ana.page, `console-end-dialog-${scheme}`);
			await ana.page.getByRole('dialog').getByRole('button', { name: 'End session' }).click();
			await visible(marko.page.getByRole('heading').first());
			await marko.page.waitForTimeout(1500);
			await shot(marko.page, `cust-ended-phone-${scheme}`);
		} finally {
			await close();
		}
	}
}, 300_000);
