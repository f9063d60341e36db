// Invitations as people use them (SPEC §3): the rep sends one from Tools › Invite to a real SMTP server,
// the customer follows the link from the mail and joins with only a name; Use my own e-mail program
// builds a mailto with recipient, subject and body; a copied link that is revoked, or one that has
// expired, is refused in the page; a rep link asks an anonymous browser to sign in, then makes an assistant.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, person } from './chromium.ts';
import { clockOffset, createRep, gone, mailTo, setClockOffset, signIn, startSession, visible, waitFor } from './support.ts';

let browser: Browser;
beforeAll(async () => {
	browser = await launchChromium();
});
afterAll(() => browser?.close());

const HOUR = 3600_000;
const unique = (name: string) => `${name}.${Date.now()}.${Math.random().toString(36).slice(2, 6)}@example.com`;

describe('invitations', () => {
	it('Send: the e-mail arrives over SMTP with rep, number and link; the customer follows it and joins with a name', async () => {
		const ana = await createRep('Ana');
		const rep = await person(browser);
		const customer = await person(browser);
		const vesna = unique('vesna');

		// Start with E-mail checked: the invitation opens by itself, the address field ready.
		await signIn(rep.page, ana);
		await startSession(rep.page, { email: true });
		const dialog = rep.page.getByRole('dialog');
		await visible(dialog.getByRole('button', { name: 'Send' }));
		const number = (await rep.page.locator('[data-session-number]').textContent())!.trim();

		// A wrong address first: a clear error, nothing sent.
		await dialog.getByLabel('Recipient').fill('vesna@');
		await dialog.getByRole('button', { name: 'Send' }).click();
		await visible(dialog.getByRole('alert').getByText('Please type a valid e-mail address'));
		expect(await dialog.locator('li[data-invitation]').count()).toBe(0);

		await dialog.getByLabel('Recipient').fill(vesna);
		await dialog.getByRole('button', { name: 'Send' }).click();
		await visible(dialog.getByRole('status').getByText(`Invitation sent to ${vesna}.`));
		await visible(dialog.locator('li[data-invitation]').getByText(`Customer, to ${vesna}`));

		const mail = await mailTo(vesna);
		expect(mail.subject).toBe(`Ana invites you to support session ${number}`);
		expect(mail.text).toContain(`Ana from Support invites you to support session ${number}.`);
		const link = /http:\/\/127\.0\.0\.1:\d+\/\?invite=[A-Za-z0-9_-]{43}/.exec(mail.text ?? '')?.[0];
		expect(link?.startsWith(inject('baseUrl'))).toBe(true);

		await dialog.getByRole('button', { name: 'Close' }).click();
		await gone(rep.page.getByRole('dialog'));

		// The link shows the session and asks only for a name.
		await customer.page.goto(link!);
		await visible(customer.page.getByRole('heading', { name: `Ana from Support invites you to session ${number}.` }));
		expect(await customer.page.getByLabel('Session number').count()).toBe(0);
		await customer.page.getByLabel('Your name').fill('Vesna');
		await customer.page.getByRole('button', { name: 'Join', exact: true }).click();
		await visible(customer.page.getByRole('heading', { name: 'Remote Support' }));
		await visible(rep.page.getByRole('complementary').getByText('Vesna'));

		await rep.context.close();
		await customer.context.close();
	});

	it('a mail server that refuses: the rep is told in their language, and the invitation is not listed as sent', async () => {
		const rep = await person(browser);
		await signIn(rep.page, await createRep('Milan', { language: 'sr' }));
		await startSession(rep.page);
		await rep.page.getByRole('button', { name: 'Alatke' }).click();
		await rep.page.getByRole('menuitem', { name: 'Pozovi' }).click();
		const dialog = rep.page.getByRole('dialog');
		const nobody = unique('nobody');
		await dialog.getByLabel('Primalac').fill(nobody);
		await dialog.getByRole('button', { name: 'Pošalji' }).click();
		const alert = dialog.getByRole('alert');
		await visible(alert.getByText(/^E-pošta nije poslata: server za e-poštu ju je odbio ili nije dostupan/));
		expect(await alert.textContent()).toMatch(/550 No such user here/);
		await visible(dialog.getByText('Nema otvorenih poziva.'));
		await rep.context.close();
	});

	it('Use my own e-mail program: a mailto with recipient, subject and body carrying a working link', async () => {
		const rep = await person(browser);
		const ivo = await createRep('Ivo');
		await signIn(rep.page, ivo);
		const number = await startSession(rep.page);
		await rep.page.getByRole('button', { name: 'Tools' }).click();
		await rep.page.getByRole('menuitem', { name: 'Invite' }).click();
		const dialog = rep.page.getByRole('dialog');
		const marko = unique('marko');
		await dialog.getByLabel('Use my own e-mail program').check();
		await dialog.getByLabel('Recipient').fill(marko);
		await dialog.getByRole('button', { name: 'Send' }).click();
		await visible(dialog.getByText('Your e-mail program opens a new message with the invitation.'));

		const href = (await dialog.locator('a[data-mailto]').getAttribute('href'))!;
		const mailto = new URL(href);
		expect(mailto.protocol).toBe('mailto:');
		expect(decodeURIComponent(mailto.pathname)).toBe(marko);
		expect(mailto.searchParams.get('subject')).toBe(`Ivo invites you to support session ${number}`);
		const body = mailto.searchParams.get('body')!;
		expect(body).toContain(`Ivo from Support invites you to support session ${number}.`);
		expect(body).toContain(`${inject('baseUrl')}/, choose Join and type the session number ${number}`);
		const link = /http:\/\/127\.0\.0\.1:\d+\/\?invite=[A-Za-z0-9_-]{43}/.exec(body)?.[0];
		expect(link).toBeDefined();
		// The console stayed where it was (the mail program got the message), and lists the invitation.
		expect(new URL(rep.page.url()).pathname).toBe('/console/');
		await visible(dialog.locator('li[data-invitation]').getByText(`Customer, to ${marko}`));
		const customer = await person(browser);
		await customer.page.goto(link!);
		await visible(customer.page.getByRole('heading', { name: `Ivo from Support invites you to session ${number}.` }));
		await rep.context.close();
		await customer.context.close();
	});

	it('Copy link makes a tokenised link; revoked, the page refuses it', async () => {
		const rep = await person(browser);
		const customer = await person(browser);
		await signIn(rep.page, await createRep('Mara'));
		const number = await startSession(rep.page);
		await rep.page.getByRole('button', { name: 'Tools' }).click();
		await rep.page.getByRole('menuitem', { name: 'Invite' }).click();
		const dialog = rep.page.getByRole('dialog');
		await dialog.getByRole('button', { name: 'Copy link' }).click();
		await visible(dialog.getByText('Link copied'));
		const link = await dialog.getByLabel('Invitation link').inputValue();
		expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?invite=[A-Za-z0-9_-]{43}$/);
		await visible(dialog.locator('li[data-invitation]').getByText('Customer, link'));

		await customer.page.goto(link);
		await visible(customer.page.getByRole('heading', { name: `Mara from Support invites you to session ${number}.` }));

		await dialog.getByRole('button', { name: 'Revoke the invitation: Customer, link' }).click();
		await visible(dialog.getByText('Invitation revoked. Its link no longer works.'));
		await gone(dialog.locator('li[data-invitation]'));

		// The customer, who had the page open, tries to join: refused, in words.
		await customer.page.getByLabel('Your name').fill('Too late');
		await customer.page.getByRole('button', { name: 'Join', exact: true }).click();
		await visible(customer.page.getByRole('alert').getByText('This invitation was withdrawn. Ask for a new one.'));
		// Opened afresh, the same.
		await customer.page.goto(link);
		await visible(customer.page.getByRole('alert').getByText('This invitation was withdrawn. Ask for a new one.'));
		expect(await customer.page.getByLabel('Your name').count()).toBe(0);
		// They can still join by the number.
		await customer.page.getByRole('button', { name: 'Join a support session' }).click();
		await visible(customer.page.getByLabel('Session number'));
		expect(await rep.page.getByRole('complementary').getByText('Too late').count()).toBe(0);

		await rep.context.close();
		await customer.context.close();
	});

	it('an expired link is refused in the page', async () => {
		const rep = await person(browser);
		const customer = await person(browser);
		await signIn(rep.page, await createRep('Rade'));
		await startSession(rep.page);
		await rep.page.getByRole('button', { name: 'Tools' }).click();
		await rep.page.getByRole('menuitem', { name: 'Invite' }).click();
		const dialog = rep.page.getByRole('dialog');
		await dialog.getByRole('button', { name: 'Copy link' }).click();
		const link = await dialog.getByLabel('Invitation link').inputValue();
		const before = clockOffset();
		try {
			await setClockOffset(before + 24 * HOUR + 60_000); // a day (the default expiry) and a minute later
			await customer.page.goto(link);
			await visible(customer.page.getByRole('alert').getByText('This invitation link has expired. Ask for a new one.'));
			expect(await customer.page.getByLabel('Your name').count()).toBe(0);
		} finally {
			await setClockOffset(before);
		}
		await rep.context.close();
		await customer.context.close();
	});

	it('a rep invitation: the mail in that rep’s language; anonymous, the console asks to sign in, then makes an assistant', async () => {
		const ana = await createRep('Ana');
		const jelena = await createRep('Jelena', { language: 'sr' });
		const rep = await person(browser);
		const assistant = await person(browser);
		await signIn(rep.page, ana);
		const number = await startSession(rep.page);
		await rep.page.getByRole('button', { name: 'Tools' }).click();
		await rep.page.getByRole('menuitem', { name: 'Invite' }).click();
		const dialog = rep.page.getByRole('dialog');
		await dialog.getByLabel('Support rep').check();
		await dialog.getByLabel('Recipient').fill(jelena.email);
		await dialog.getByRole('button', { name: 'Send' }).click();
		await visible(dialog.getByRole('status').getByText(`Invitation sent to ${jelena.email}.`));

		await dialog.getByRole('button', { name: 'Close' }).click();

		const mail = await mailTo(jelena.email);
		expect(mail.subject).toBe(`Ana vas poziva da asistirate u sesiji podrške ${number}`);
		const link = /http:\/\/127\.0\.0\.1:\d+\/console\/\?invite=[A-Za-z0-9_-]{43}/.exec(mail.text ?? '')?.[0];
		expect(link).toBeDefined();

		// The customer site refuses a rep link.
		const wrong = await person(browser);
		await wrong.page.goto(link!.replace('/console/', '/'));
		await visible(wrong.page.getByRole('alert').getByText(/This link invites someone else/));
		await wrong.context.close();

		// Anonymous: sign in first, then the invitation (in Jelena's language, Serbian).
		await assistant.page.goto(link!);
		await assistant.page.getByLabel('E-mail address').fill(jelena.email);
		await assistant.page.getByLabel('Password').fill(jelena.password);
		await assistant.page.getByRole('button', { name: 'Sign in' }).click();
		const invited = assistant.page.getByRole('dialog');
		await visible(invited.getByText(`Ana vas poziva da asistirate u sesiji ${number}.`));
		await invited.getByRole('button', { name: 'Pridruži se' }).click();
		await gone(assistant.page.getByRole('dialog'));
		await visible(assistant.page.getByRole('button', { name: 'Napusti sesiju' }));
		await visible(rep.page.getByRole('complementary').getByText('Jelena'));
		expect(await assistant.page.getByRole('button', { name: 'Završi sesiju' }).count()).toBe(0);

		for (const p of [rep, assistant]) await p.context.close();
	});
});
