// The walking skeleton as people use it: a rep starts, a customer joins by number, a second rep
// assists, control goes over and back, a second customer joins and focus moves, the session ends.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, person } from './chromium.ts';
import { createRep, gone, joinAsCustomer, signIn, startSession, visible, waitFor } from './support.ts';

let browser: Browser;
beforeAll(async () => {
	browser = await launchChromium();
});
afterAll(() => browser?.close());

describe('a support session, end to end', () => {
	it('start, join, assist, transfer control and back, focus, end', async () => {
		const ana = await createRep('Ana', { sessionMode: 'multi' });
		const jelena = await createRep('Jelena', { sessionMode: 'multi' });
		const rep = await person(browser);
		const assistant = await person(browser);
		const marko = await person(browser);
		const petra = await person(browser);

		// Ana starts with E-mail checked: the invitation opens by itself, with the number and Copy link.
		await signIn(rep.page, ana);
		await startSession(rep.page, { email: true });
		const invite = rep.page.getByRole('dialog');
		await visible(invite.getByRole('button', { name: 'Copy link' }));
		await visible(invite.getByRole('button', { name: 'Send' }));
		const number = (await rep.page.locator('[data-session-number]').textContent())!.trim();
		expect(number).toMatch(/^[1-9]\d{2} \d{3} \d{3}$/);
		expect(await invite.textContent()).toContain(number);
		await invite.getByRole('button', { name: 'Close' }).click();
		await gone(rep.page.getByRole('dialog'));

		// Marko joins by the number and Ana sees him at once.
		await joinAsCustomer(marko.page, number, 'Marko');
		await visible(marko.page.getByRole('heading', { name: 'Remote Support' }));
		await visible(marko.page.getByText('Ana from Support is helping you'));
		const participants = rep.page.getByRole('complementary');
		await visible(participants.getByText('Marko'));

		// Jelena assists by number: no control functions for her.
		await signIn(assistant.page, jelena);
		await assistant.page.getByRole('button', { name: 'Provide Support' }).click();
		await assistant.page.getByRole('menuitem', { name: 'Assist Session' }).click();
		await assistant.page.getByLabel('Session number').fill(number.replaceAll(' ', '-'));
		await assistant.page.getByRole('button', { name: 'Join' }).click();
		await visible(assistant.page.getByRole('complementary').getByText('Marko'));
		expect(await assistant.page.getByRole('button', { name: 'End session' }).count()).toBe(0);
		await visible(assistant.page.getByRole('button', { name: 'Leave' }));
		await visible(participants.getByText('Jelena'));

		// Ana transfers control to Jelena.
		await rep.page.getByRole('button', { name: 'Transfer control' }).click();
		const dialog = rep.page.getByRole('dialog');
		await dialog.getByLabel('Jelena').check();
		await dialog.getByRole('button', { name: 'Transfer control', exact: true }).click();
		await visible(assistant.page.getByRole('button', { name: 'End session' }));
		await visible(rep.page.getByRole('button', { name: 'Leave' }));
		expect(await rep.page.getByRole('button', { name: 'End session' }).count()).toBe(0);
		await visible(marko.page.getByText('Jelena from Support is helping you'));

		// Control comes back.
		await assistant.page.getByRole('button', { name: 'Transfer control' }).click();
		await assistant.page.getByRole('dialog').getByLabel('Ana').check();
		await assistant.page.getByRole('dialog').getByRole('button', { name: 'Transfer control', exact: true }).click();
		await visible(rep.page.getByRole('button', { name: 'End session' }));
		await visible(marko.page.getByText('Ana from Support is helping you'));

		// A second customer; Ana focuses on her.
		await joinAsCustomer(petra.page, number, 'Petra');
		await visible(participants.getByText('Petra'));
		await participants.getByRole('button', { name: 'Focus on Petra' }).click();
		await waitFor(async () => (await participants.locator('li[data-participant="Petra"]').textContent())!.includes('in focus'));

		// The assistant leaves; Ana ends the session; the customers see it end.
		await assistant.page.getByRole('button', { name: 'Leave' }).click();
		await gone(participants.locator('li[data-participant="Jelena"]'));
		await rep.page.getByRole('button', { name: 'End session' }).click();
		await rep.page.getByRole('dialog').getByRole('button', { name: 'End session' }).click();
		await visible(marko.page.getByText('The support session has ended'));
		await visible(petra.page.getByText('The support session has ended'));
		await visible(rep.page.getByText('Click Start to begin a support session.'));

		for (const p of [rep, assistant, marko, petra]) await p.context.close();
	});

	it('a reload keeps the customer the same participant', async () => {
		const rep = await person(browser);
		const customer = await person(browser);
		await signIn(rep.page, await createRep('Reload'));
		const number = await startSession(rep.page);
		await joinAsCustomer(customer.page, number, 'Ivo');
		await visible(customer.page.getByRole('heading', { name: 'Remote Support' }));
		await customer.page.reload();
		await visible(customer.page.getByRole('heading', { name: 'Remote Support' }));
		await visible(rep.page.getByRole('complementary').getByText('Ivo'));
		expect(await rep.page.locator('li[data-participant="Ivo"]').count()).toBe(1);
		await rep.context.close();
		await customer.context.close();
	});

	it('single-session mode refuses a second Start with a clear message', async () => {
		const rep = await person(browser);
		await signIn(rep.page, await createRep('Solo', { sessionMode: 'single' }));
		await startSession(rep.page);
		await rep.page.getByRole('button', { name: 'Start' }).click();
		await visible(rep.page.getByRole('alert').getByText('You already control a session'));
		expect(await rep.page.getByRole('tab').count()).toBe(1);
		await rep.context.close();
	});

	it('multi-session mode shows a tab per session and switching tabs ends nothing', async () => {
		const rep = await person(browser);
		const c1 = await person(browser);
		const c2 = await person(browser);
		await signIn(rep.page, await createRep('Multi', { sessionMode: 'multi' }));
		const first = await startSession(rep.page);
		await joinAsCustomer(c1.page, first, 'Prvi');
		const second = await startSession(rep.page);
		await joinAsCustomer(c2.page, second, 'Drugi');
		const tabs = rep.page.getByRole('tab');
		await waitFor(async () => (await tabs.count()) === 2);
		// Someone joins the session in the background: the toast names it, and its tab says there is news.
		const c3 = await person(browser);
		await joinAsCustomer(c3.page, first, 'Treći');
		await visible(rep.page.getByText(`${first} · Treći joined`));
		await visible(tabs.filter({ hasText: first }).getByText('new', { exact: true }));
		await tabs.filter({ hasText: first }).click();
		await gone(tabs.filter({ hasText: first }).getByText('new', { exact: true }));
		await c3.context.close();
		await visible(rep.page.getByRole('complementary').getByText('Prvi'));
		await tabs.filter({ hasText: second }).click();
		await visible(rep.page.getByRole('complementary').getByText('Drugi'));
		await visible(c1.page.getByText('Multi from Support is helping you'));
		for (const p of [rep, c1, c2]) await p.context.close();
	});

	it('a wrong number gets a clear error on the support site', async () => {
		const customer = await person(browser);
		await joinAsCustomer(customer.page, '123 456 789', 'Nobody');
		await visible(customer.page.getByRole('alert').getByText('No live session has this number'));
		await customer.context.close();
	});
});

describe('in Serbian', () => {
	it('the rep works in Serbian and the customer page follows the browser language', async () => {
		const rep = await person(browser);
		const customer = await person(browser, 'sr-Latn-RS');
		const milan = await createRep('Milan', { language: 'sr' });
		await rep.page.goto('/console');
		await rep.page.getByRole('button', { name: 'SR' }).click();
		await signIn(rep.page, milan, { email: 'Adresa e-pošte', password: 'Lozinka', signIn: 'Prijavi se' });
		const number = await startSession(rep.page);
		await joinAsCustomer(customer.page, number, 'Jovana', { number: 'Broj sesije', name: 'Vaše ime', join: 'Pridruži se' });
		await visible(customer.page.getByRole('heading', { name: 'Daljinska podrška' }));
		await visible(rep.page.getByRole('heading', { name: /Učesnici/ }));
		await visible(rep.page.getByRole('complementary').getByText('Jovana'));
		await rep.page.getByRole('button', { name: 'Završi sesiju' }).click();
		await rep.page.getByRole('dialog').getByRole('button', { name: 'Završi sesiju' }).click();
		await visible(customer.page.getByText('Sesija podrške je završena'));
		await rep.context.close();
		await customer.context.close();
	});
});
