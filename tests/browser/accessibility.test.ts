// Accessibility of every main state of both apps, checked by axe-core (WCAG 2.1 A and AA rules) in light
// and dark: the support site's landing and Get help, the Remote Support page with a shared screen, the
// closing screen with its survey; the console's sign-in, a live session with its stage, chat and files,
// and its dialogs (Invite, Reports, Admin › Reps). No serious or critical violation may stand.

import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, launchChromium } from './chromium.ts';
import { ADMIN, createRep, customerSharesScreen, gone, joinAsCustomer, receivesFrames, signIn, startSession, visible } from './support.ts';

let browser: Browser;
beforeAll(async () => {
	browser = await launchChromium();
});
afterAll(() => browser?.close());

/** The serious and critical violations on the page now, as "rule: the elements it names". */
async function violations(page: Page): Promise<string[]> {
	const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
	return result.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe.each(['light', 'dark'] as const)('accessibility, %s', (scheme) => {
	const open = async (width = 1280, height = 800) => {
		const context = await browser.newContext({ baseURL: baseUrl(), viewport: { width, height }, colorScheme: scheme, locale: 'en-US' });
		return { context, page: await context.newPage() };
	};

	it('the support site: landing, Get help, Remote Support with a shared screen, the closing screen', async () => {
		const rep = await open();
		const customer = await open(390, 844);
		try {
			await customer.page.goto('/');
			await visible(customer.page.getByRole('button', { name: 'Join', exact: true }));
			expect(await violations(customer.page), 'landing').toEqual([]);
			// The checker is awake: a button without a name, planted for a moment, is caught.
			await customer.page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<button id="planted"></button>'));
			expect((await violations(customer.page)).join()).toMatch(/^button-name \(critical\): #planted/);
			await customer.page.evaluate(() => document.getElementById('planted')?.remove());

			await customer.page.getByRole('button', { name: 'Get help' }).click();
			await visible(customer.page.locator('#help-form form, #help-form .note').first());
			expect(await violations(customer.page), 'Get help').toEqual([]);

			await signIn(rep.page, await createRep('Ana'));
			const number = await startSession(rep.page);
			await joinAsCustomer(customer.page, number, 'Marko');
			await customerSharesScreen(customer.page);
			await receivesFrames(rep.page, 'Screen of Marko');
			expect(await violations(customer.page), 'Remote Support').toEqual([]);
			expect(await violations(rep.page), 'console with a shared screen').toEqual([]);

			await rep.page.getByRole('button', { name: 'End session' }).click();
			await rep.page.getByRole('dialog').getByRole('button', { name: 'End session' }).click();
			await visible(customer.page.getByRole('button', { name: 'Send rating' }));
			expect(await violations(customer.page), 'closing screen').toEqual([]);
		} finally {
			await rep.context.close();
			await customer.context.close();
		}
	});

	it('the console: sign-in, a session, Invite, Reports, Admin › Reps', async () => {
		const admin = await open();
		try {
			await createRep('Vera');
			await admin.page.goto('/console');
			await visible(admin.page.getByRole('button', { name: 'Sign in' }));
			expect(await violations(admin.page), 'sign-in').toEqual([]);
			await signIn(admin.page, ADMIN);
			await startSession(admin.page);
			expect(await violations(admin.page), 'a session').toEqual([]);

			await admin.page.getByRole('button', { name: 'Tools' }).click();
			await admin.page.getByRole('menuitem', { name: 'Invite' }).click();
			await visible(admin.page.getByRole('dialog'));
			expect(await violations(admin.page), 'Invite').toEqual([]);
			await admin.page.keyboard.press('Escape');
			await gone(admin.page.getByRole('dialog'));

			await admin.page.getByRole('button', { name: 'Reports' }).click();
			await visible(admin.page.getByRole('dialog', { name: 'Reports' }));
			expect(await violations(admin.page), 'Reports').toEqual([]);
			await admin.page.keyboard.press('Escape');
			await gone(admin.page.getByRole('dialog'));

			await admin.page.getByRole('button', { name: 'Admin', exact: true }).click();
			await admin.page.getByRole('menuitem', { name: 'Reps' }).click();
			await visible(admin.page.getByRole('dialog'));
			expect(await violations(admin.page), 'Admin › Reps').toEqual([]);
		} finally {
			await admin.context.close();
		}
	});
});
