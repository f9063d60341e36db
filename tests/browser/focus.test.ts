// Keyboard and focus as a rep who works without a mouse meets them (UI.md): a menu opens on its first item,
// the arrow keys move through it and wrap, Esc closes it back onto its button; a dialog opened from a menu
// or a button gives the focus back to that button when it closes; when what opened it is gone (the session
// ended), the focus lands on Start, never on the page's body.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, person } from './chromium.ts';
import { createRep, gone, repWithCustomer, signIn, startSession, visible, waitFor } from './support.ts';

let browser: Browser;
beforeAll(async () => {
	browser = await launchChromium();
});
afterAll(() => browser?.close());

/** The focused element, as a person would name it: its role and text. */
const focused = (page: Page) =>
	page.evaluate(() => {
		const el = document.activeElement as HTMLElement | null;
		return el && el !== document.body
			? `${el.getAttribute('role') ?? el.tagName.toLowerCase()}: ${el.textContent?.replace(/\s+/g, ' ').trim()}`
			: 'body';
	});

describe('focus and menus', () => {
	it('menus follow the arrow keys and Esc; dialogs give the focus back to what opened them, or to Start', async () => {
		const ana = await person(browser);
		try {
			await signIn(ana.page, await createRep('Ana'));
			await startSession(ana.page);
			const page = ana.page;
			const tools = page.getByRole('button', { name: 'Tools' });

			// The menu from the keyboard: Enter opens it on its first item; the arrows move and wrap.
			await tools.focus();
			await page.keyboard.press('Enter');
			await visible(page.getByRole('menu', { name: 'Tools' }));
			expect(await focused(page)).toBe('menuitem: Invite');
			await page.keyboard.press('ArrowDown');
			expect(await focused(page)).toBe('menuitem: Recordings');
			await page.keyboard.press('ArrowDown');
			expect(await focused(page)).toBe('menuitem: Invite');
			await page.keyboard.press('End');
			expect(await focused(page)).toBe('menuitem: Recordings');
			await page.keyboard.press('Escape');
			await gone(page.getByRole('menu'));
			expect(await focused(page)).toBe('button: Tools ▾');
			// ArrowUp on the button opens the menu on its last item.
			await page.keyboard.press('ArrowUp');
			expect(await focused(page)).toBe('menuitem: Recordings');
			await page.keyboard.press('Escape');

			// Tools › Invite, then Esc: back on Tools.
			await page.keyboard.press('Enter');
			await page.keyboard.press('Enter');
			await visible(page.getByRole('dialog'));
			await page.keyboard.press('Escape');
			await gone(page.getByRole('dialog'));
			await waitFor(async () => (await focused(page)) === 'button: Tools ▾');

			// End session, cancelled: back on End session.
			await page.getByRole('button', { name: 'End session' }).focus();
			await page.keyboard.press('Enter');
			await visible(page.getByRole('dialog'));
			await page.keyboard.press('Escape');
			await gone(page.getByRole('dialog'));
			await waitFor(async () => (await focused(page)) === 'button: End session');

			// End session, confirmed: the button is gone with the session; the focus is on Start.
			await page.keyboard.press('Enter');
			await page.getByRole('dialog').getByRole('button', { name: 'End session' }).click();
			await gone(page.getByRole('dialog'));
			await waitFor(async () => (await focused(page)) === 'button: Start').catch(async (e) => {
				throw new Error(`focus on ${await focused(page)}: ${e}`);
			});
		} finally {
			await ana.context.close();
		}
	});

	it('the session tabs follow the tab pattern: the arrows and Home/End move to a session and open it', async () => {
		const ana = await person(browser);
		try {
			await signIn(ana.page, await createRep('Ana'));
			const first = await startSession(ana.page);
			const second = await startSession(ana.page);
			const page = ana.page;
			const selected = () => page.getByRole('tab', { selected: true }).locator('.tab-number').textContent();
			expect(await selected()).toBe(second);
			// One tab in the Tab order: the open session's.
			expect(await page.getByRole('tab').evaluateAll((tabs) => tabs.map((t) => t.getAttribute('tabindex')))).toEqual(['-1', '0']);
			await page.getByRole('tab', { selected: true }).focus();
			await page.keyboard.press('ArrowDown'); // wraps to the first
			await expect.poll(selected).toBe(first);
			expect(await focused(page)).toMatch(new RegExp(`^tab: ${first}`));
			await page.keyboard.press('End');
			await expect.poll(selected).toBe(second);
			await page.keyboard.press('ArrowUp');
			await expect.poll(selected).toBe(first);
			expect(await page.getByRole('toolbar').locator('[data-session-number]').textContent()).toContain(first);
		} finally {
			await ana.context.close();
		}
	});

	it('Remove asks first: Cancel keeps the customer, Remove takes them out', async () => {
		const { ana, marko, close } = await repWithCustomer(browser);
		try {
			const participants = ana.page.getByRole('region', { name: /^Participants/ });
			await visible(participants.getByText('Marko'));
			await participants.getByRole('button', { name: 'Remove Marko' }).click();
			const confirm = participants.getByRole('group', { name: 'Remove Marko' });
			await visible(confirm.getByText('Remove Marko from the session?', { exact: false }));
			expect(await focused(ana.page)).toBe('button: Cancel');
			await ana.page.keyboard.press('Enter');
			await gone(confirm);
			await participants.getByRole('button', { name: 'Remove Marko' }).click();
			await confirm.getByRole('button', { name: 'Remove', exact: true }).click();
			await gone(participants.locator('[data-participant="Marko"]'));
			await visible(marko.page.getByText('You are no longer in this support session.'));
		} finally {
			await close();
		}
	});
});
