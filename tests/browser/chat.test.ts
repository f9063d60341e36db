// The session's chat as people use it (SPEC §9, UI.md): a customer and the reps write both ways, Enter
// sends and Shift+Enter breaks the line, a transfer of control shows as a system line, the transcript is
// whole after a reload and after a 10-second network drop (nothing twice, nothing missing), markup is shown
// as text, a background session tab counts unread lines, the customer has the chat mailed at the end, and
// the same in Serbian.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, launchChromium, person } from './chromium.ts';
import { dropProxy } from './dropProxy.ts';
import { createRep, joinAsCustomer, mailTo, signIn, startSession, visible, waitFor } from './support.ts';

let browser: Browser;
beforeAll(async () => {
	browser = await launchChromium();
});
afterAll(() => browser?.close());

/** The chat section of a page (the console's panel or the customer's card). */
const chat = (page: Page, name = 'Chat') => page.getByRole('region', { name });
/** The texts of the chat lines a page shows, in order. */
const linesOf = async (page: Page, name = 'Chat') => chat(page, name).locator('[data-chat-line] .text').allTextContents();

async function write(page: Page, text: string, name = 'Chat', message = 'Message') {
	const box = chat(page, name).getByRole('textbox', { name: message });
	await box.fill(text);
	await box.press('Enter');
}

describe('chat', () => {
	it('both ways with a system line at a transfer; intact after a reload and after a 10-second network drop', async () => {
		const ana = await createRep('Ana');
		const bojan = await createRep('Bojan');
		const rep = await person(browser);
		const assistant = await person(browser);
		// Mira's network can drop: she reaches the site through a proxy the test cuts.
		const network = await dropProxy(baseUrl());
		const customer = await person(browser, 'en-US', network.url);
		await signIn(rep.page, ana);
		const number = await startSession(rep.page);
		await joinAsCustomer(customer.page, number, 'Mira');
		await visible(customer.page.getByText('Ana from Support is helping you'));
		await signIn(assistant.page, bojan);
		await assistant.page.getByRole('button', { name: 'Provide Support' }).click();
		await assistant.page.getByRole('menuitem', { name: 'Assist Session' }).click();
		await assistant.page.getByLabel('Session number').fill(number);
		await assistant.page.getByRole('button', { name: 'Join' }).click();
		await visible(chat(customer.page).getByText('Bojan joined'));

		// Mira writes; Enter sends. Ana answers on two lines (Shift+Enter), and sees Mira typing first.
		const box = chat(customer.page).getByRole('textbox', { name: 'Message' });
		await box.pressSequentially('My printer');
		await visible(chat(rep.page).getByText('Mira is typing…'));
		await box.fill('My printer is offline');
		await box.press('Enter');
		await expect.poll(() => linesOf(rep.page)).toEqual(['My printer is offline']);
		expect(await box.inputValue()).toBe('');
		const repBox = chat(rep.page).getByRole('textbox', { name: 'Message' });
		await repBox.fill('Let me look.');
		await repBox.press('Shift+Enter');
		await repBox.pressSequentially('Is it switched on?');
		await repBox.press('Enter');
		await expect.poll(() => linesOf(customer.page)).toEqual(['My printer is offline', 'Let me look.\nIs it switched on?']);
		await expect.poll(() => linesOf(assistant.page)).toEqual(['My printer is offline', 'Let me look.\nIs it switched on?']);

		// Ana gives control to Bojan: a system line in everyone's chat; the chat goes on, Ana still in it.
		await rep.page.getByRole('button', { name: 'Transfer control' }).click();
		await rep.page.getByRole('dialog').getByLabel('Bojan').check();
		await rep.page.getByRole('dialog').getByRole('button', { name: 'Transfer control', exact: true }).click();
		for (const page of [rep.page, assistant.page, customer.page]) await visible(chat(page).getByText('Ana gave control to Bojan'));
		await write(rep.page, 'Bojan takes over from here');
		await expect.poll(() => linesOf(customer.page)).toHaveLength(3);

		// A reload: the same transcript, once.
		await customer.page.reload();
		await visible(customer.page.getByText('Bojan from Support is helping you'));
		await expect
			.poll(() => linesOf(customer.page))
			.toEqual(['My printer is offline', 'Let me look.\nIs it switched on?', 'Bojan takes over from here']);

		// Ten seconds without a network: what was written meanwhile arrives once, nothing is lost; a line
		// Mira sent into the void is kept as not sent, and goes once when she tries again.
		const droppedAt = Date.now();
		network.cut();
		await visible(customer.page.getByText('Reconnecting'));
		await write(assistant.page, 'Can you see the printer light?');
		await write(rep.page, 'Take your time.');
		await write(customer.page, 'Sorry, my network went away');
		await visible(chat(customer.page).getByRole('button', { name: 'Try again' }), 20_000);
		await customer.page.waitForTimeout(Math.max(0, 10_000 - (Date.now() - droppedAt)));
		// The drop was real: nothing of what the others wrote has reached Mira's page yet.
		expect(await linesOf(customer.page)).toHaveLength(3);
		network.restore();
		await chat(customer.page).getByRole('button', { name: 'Try again' }).click();
		const all = [
			'My printer is offline',
			'Let me look.\nIs it switched on?',
			'Bojan takes over from here',
			'Can you see the printer light?',
			'Take your time.',
			'Sorry, my network went away',
		];
		await expect.poll(() => linesOf(customer.page), { timeout: 30_000 }).toEqual(all);
		await expect.poll(() => linesOf(rep.page)).toEqual(all);
		await expect.poll(() => linesOf(assistant.page)).toEqual(all);
		for (const c of [rep, assistant, customer]) await c.context.close();
		await network.close();
	});

	it('markup from a customer is shown as text, never run', async () => {
		const ana = await createRep('Ana');
		const rep = await person(browser);
		const customer = await person(browser);
		let alerted = false;
		for (const page of [rep.page, customer.page])
			page.on('dialog', (d) => {
				alerted = true;
				void d.dismiss();
			});
		await signIn(rep.page, ana);
		const number = await startSession(rep.page);
		await joinAsCustomer(customer.page, number, 'Eve');
		await visible(customer.page.getByText('Ana from Support is helping you'));
		const evil = '<img src=x onerror=alert(1)>';
		await write(customer.page, evil);
		await expect.poll(() => linesOf(rep.page)).toEqual([evil]);
		await write(rep.page, 'see <b>this</b> https://example.com/?a=1&b=2');
		await expect.poll(() => linesOf(customer.page)).toEqual([evil, 'see <b>this</b> https://example.com/?a=1&b=2']);
		for (const page of [rep.page, customer.page]) {
			expect(await chat(page).locator('img, b, script').count()).toBe(0);
		}
		expect(alerted).toBe(false);
		await rep.context.close();
		await customer.context.close();
	});

	it('a session tab in the background counts unread lines, and so does the title; the chat ends mailed to the customer', async () => {
		const ana = await createRep('Ana', { sessionMode: 'multi' });
		const rep = await person(browser);
		const mira = await person(browser);
		const ivo = await person(browser);
		await signIn(rep.page, ana);
		const first = await startSession(rep.page);
		await joinAsCustomer(mira.page, first, 'Mira');
		const second = await startSession(rep.page);
		await joinAsCustomer(ivo.page, second, 'Ivo');
		await visible(ivo.page.getByText('Ana from Support is helping you'));
		// The second session is in front; Mira writes in the first.
		await write(mira.page, 'Hello?');
		await write(mira.page, 'Anyone there?');
		const firstTab = rep.page.getByRole('tab', { name: new RegExp(first) });
		await visible(firstTab.getByText('2 unread'));
		await waitFor(async () => (await rep.page.title()).startsWith('(2)'));
		await firstTab.click();
		await expect.poll(() => linesOf(rep.page)).toEqual(['Hello?', 'Anyone there?']);
		expect(await firstTab.getByText('unread').count()).toBe(0);
		await waitFor(async () => !(await rep.page.title()).startsWith('('));

		// Ana ends the first session; Mira has the chat mailed to her.
		await write(rep.page, 'Here I am. All done?');
		await expect.poll(() => linesOf(mira.page)).toHaveLength(3);
		await rep.page.getByRole('button', { name: 'End session' }).click();
		await rep.page.getByRole('dialog').getByRole('button', { name: 'End session' }).click();
		await visible(mira.page.getByText('The support session has ended'));
		const address = `mira.${Date.now()}@example.com`;
		await mira.page.getByLabel('Your e-mail address').fill(address);
		await mira.page.getByRole('button', { name: 'Send me the chat' }).click();
		await visible(mira.page.getByText(`The chat is on its way to ${address}.`));
		const mail = await mailTo(address);
		expect(mail.text).toContain('Mira: Hello?');
		expect(mail.text).toContain('Ana: Here I am. All done?');
		for (const c of [rep, mira, ivo]) await c.context.close();
	});

	it('in Serbian: Ćaskanje, Pošalji, and the system lines in Serbian', async () => {
		const rep = await person(browser);
		const customer = await person(browser, 'sr-Latn-RS');
		await rep.page.goto('/console');
		await rep.page.getByRole('button', { name: 'SR' }).click();
		await signIn(rep.page, await createRep('Jovana', { language: 'sr' }), {
			email: 'Adresa e-pošte',
			password: 'Lozinka',
			signIn: 'Prijavi se',
		});
		const number = await startSession(rep.page);
		await joinAsCustomer(customer.page, number, 'Marko', { number: 'Broj sesije', name: 'Vaše ime', join: 'Pridruži se' });
		await visible(chat(rep.page, 'Ćaskanje').getByText('Marko ulazi u sesiju'));
		await write(customer.page, 'Zdravo, štampač ne radi', 'Ćaskanje', 'Poruka');
		await expect.poll(() => linesOf(rep.page, 'Ćaskanje')).toEqual(['Zdravo, štampač ne radi']);
		const box = chat(rep.page, 'Ćaskanje').getByRole('textbox', { name: 'Poruka' });
		await box.fill('Pogledaću odmah');
		await chat(rep.page, 'Ćaskanje').getByRole('button', { name: 'Pošalji' }).click();
		await expect.poll(() => linesOf(customer.page, 'Ćaskanje')).toEqual(['Zdravo, štampač ne radi', 'Pogledaću odmah']);
		await visible(chat(customer.page, 'Ćaskanje').getByText('Vi', { exact: true }));
		await rep.context.close();
		await customer.context.close();
	});
});
