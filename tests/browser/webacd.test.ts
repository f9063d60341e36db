// WebACD as people meet it (SPEC §7, §8): a customer with no number asks for help, sees their place in line
// and an estimate, and is in the session the moment an agent accepts the offer that appears on the agent's
// console — no reload, no second form. Three customers wait; the first leaves; the others move up. An agent
// transfers a session to a queue with a 345-emoji message, or to two agents of whom the first to accept
// gets it — and once in Serbian.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, person } from './chromium.ts';
import { ADMIN, admin, createRep, gone, joinAsCustomer, signIn, startSession, trpcCall, visible, waitFor } from './support.ts';

let browser: Browser;
beforeAll(async () => {
	browser = await launchChromium();
});
afterAll(() => browser?.close());

/** A new WebACD agent and their id. */
async function agent(name: string, language: 'en' | 'sr' = 'en') {
	const rep = await createRep(name, { isAgent: true, language });
	const reps = (await trpcCall<{ id: string; email: string }[]>('admin.reps', undefined, { cookie: await admin(), method: 'GET' })).data;
	return { rep, id: reps.find((r) => r.email === rep.email)!.id };
}

/** An agent of a queue of their own (unique names: the suite's site is shared). */
async function agentWithQueue(name: string, queueName: string, language: 'en' | 'sr' = 'en') {
	const { rep, id } = await agent(name, language);
	const cookie = await admin();
	const { data: queue } = await trpcCall<{ id: string }>(
		'admin.createQueue',
		{ name: queueName, members: [id], routing: 'mostIdle', openToCustomers: true },
		{ cookie },
	);
	return { rep, id, queueId: queue.id };
}

/** A customer's Get help, as a person fills it in. */
async function askForHelp(page: Page, name: string, problem: string, queueName: string) {
	await page.goto('/');
	const help = page.getByRole('region', { name: 'Get help' });
	await help.getByRole('button', { name: 'Get help' }).click();
	await help.getByLabel('Your name').fill(name);
	await help.getByLabel('What do you need help with?').fill(problem);
	const choose = help.getByLabel('Help with', { exact: true });
	if (await choose.count()) await choose.selectOption({ label: queueName });
	await help.getByRole('button', { name: 'Ask for help' }).click();
}

describe('Get help', () => {
	it('place 1 and an estimate; the agent accepts the offer; the customer is in the session without a reload', async () => {
		const { rep } = await agentWithQueue('Eva', 'Printers (help test)');
		const agent = await person(browser);
		const customer = await person(browser);
		try {
			await signIn(agent.page, rep);
			await visible(agent.page.getByRole('button', { name: 'Available' }));
			await askForHelp(customer.page, 'Mira', 'The printer says it is offline', 'Printers (help test)');
			await visible(customer.page.getByRole('status').filter({ hasText: 'You are number 1 in line' }));
			await visible(customer.page.getByText('about 5 minutes'));
			await customer.page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));

			// The offer on the agent's console: who, what, which queue, and a countdown.
			const offer = agent.page.getByRole('region', { name: 'Offers' }).getByRole('article');
			await visible(offer.getByRole('heading', { name: 'Mira asks for help' }), 20_000);
			await visible(offer.getByText('The printer says it is offline'));
			await visible(offer.getByText('Printers (help test)'));
			expect(await agent.page.title()).toMatch(/^\(1\) New request/);
			await offer.getByRole('button', { name: 'Accept' }).click();

			await visible(customer.page.getByText('Eva from Support is helping you'));
			expect(await customer.page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
			await visible(agent.page.getByRole('tab').filter({ hasText: 'Mira' }));
			await waitFor(async () => (await agent.page.getByRole('region', { name: 'Offers' }).count()) === 0);
			await agent.page.getByRole('button', { name: 'End session' }).click();
			await agent.page.getByRole('dialog').getByRole('button', { name: 'End session' }).click();
		} finally {
			await agent.context.close();
			await customer.context.close();
		}
	});

	it('three customers wait; the first leaves the line; the others move up, and a reload keeps the place', async () => {
		const { rep } = await agentWithQueue('Away', 'Billing (line test)');
		// The queue's only agent is away: nobody takes the requests, and the customers are told so.
		const agentCookie = (await trpcCall('auth.signIn', { email: rep.email, password: rep.password })).cookie!;
		await trpcCall('acd.setState', { state: 'away' }, { cookie: agentCookie });
		const people = [await person(browser), await person(browser), await person(browser)];
		try {
			for (const [i, name] of ['Ana', 'Boris', 'Cvijeta'].entries()) {
				await askForHelp(people[i]!.page, name, 'My invoice is wrong', 'Billing (line test)');
				await visible(people[i]!.page.getByRole('status').filter({ hasText: `You are number ${i + 1} in line` }));
			}
			await visible(people[2]!.page.getByText('No support rep is available right now'));
			await people[0]!.page.getByRole('button', { name: 'Leave the line' }).click();
			await people[0]!.page.getByRole('dialog').getByRole('button', { name: 'Leave' }).click();
			await visible(people[1]!.page.getByRole('status').filter({ hasText: 'You are number 1 in line' }));
			await visible(people[2]!.page.getByRole('status').filter({ hasText: 'You are number 2 in line' }));
			// A reload keeps the place: the page comes back waiting, not at the start.
			await people[2]!.page.reload();
			await visible(people[2]!.page.getByRole('status').filter({ hasText: 'You are number 2 in line' }));
		} finally {
			for (const p of people) await p.context.close();
		}
	});
});

const MESSAGE = '🖨'.repeat(345); // 345 code points, 690 UTF-16 units: maxlength would stop at half

describe('Transfer session', () => {
	it('to a queue with a 345-character message: the rep is out, the voice call off, the customer waits and the queue’s agent continues it', async () => {
		const { rep: goranRep } = await agentWithQueue('Goran', 'Printers (transfer test)');
		const { rep: evaRep } = await agent('Eva');
		const eva = await person(browser);
		const goran = await person(browser);
		const customer = await person(browser);
		try {
			await signIn(goran.page, goranRep);
			await signIn(eva.page, evaRep);
			const number = await startSession(eva.page);
			await joinAsCustomer(customer.page, number, 'Mira');
			await visible(customer.page.getByText('Eva from Support is helping you'));
			await eva.page.getByRole('button', { name: 'Voice call', exact: true }).click();
			await visible(eva.page.getByRole('button', { name: 'End voice call' }));

			await eva.page.getByRole('button', { name: 'Transfer' }).click();
			await eva.page.getByRole('menuitem', { name: 'Transfer session' }).click();
			const dialog = eva.page.getByRole('dialog', { name: `Transfer session ${number}` });
			await expect.poll(() => dialog.getByRole('tab', { name: 'Queues' }).getAttribute('aria-selected')).toBe('true');
			await dialog.getByRole('radio', { name: /Printers \(transfer test\)/ }).check();
			// One too many: the counter says so as a person counts, and nothing is sent.
			await dialog.getByLabel('Personal message (optional)').fill(`${MESSAGE}🖨`);
			await visible(dialog.getByText('346 / 345'));
			await dialog.getByRole('button', { name: 'Transfer session' }).click();
			await visible(dialog.getByRole('alert').filter({ hasText: 'The message is too long: at most 345 characters.' }));
			await dialog.getByLabel('Personal message (optional)').fill(MESSAGE);
			await visible(dialog.getByText('345 / 345'));
			await dialog.getByRole('button', { name: 'Transfer session' }).click();

			// Eva is out of it; Mira is still connected and told she is being transferred, with her place.
			await gone(eva.page.getByRole('tab').filter({ hasText: 'Mira' }));
			await visible(customer.page.getByRole('status').filter({ hasText: 'You are being transferred to another support rep' }));
			await visible(customer.page.getByText('You are number 1 in line'));

			const offer = goran.page.getByRole('region', { name: 'Offers' }).getByRole('article');
			await visible(offer.getByRole('heading', { name: 'Eva transfers Mira to you' }), 20_000);
			expect(await offer.locator('dd.text').last().textContent()).toBe(MESSAGE);
			await offer.getByRole('button', { name: 'Accept' }).click();
			await visible(customer.page.getByText('Goran from Support is helping you'));
			await visible(goran.page.getByRole('tab').filter({ hasText: 'Mira' }));
			// The voice call ended with the transfer: Goran may start one, none is on.
			await visible(goran.page.getByRole('button', { name: 'Voice call', exact: true }));
			await goran.page.getByRole('button', { name: 'End session' }).click();
			await goran.page.getByRole('dialog').getByRole('button', { name: 'End session' }).click();
		} finally {
			for (const p of [eva, goran, customer]) await p.context.close();
		}
	});

	it('to two agents: both are offered it, the first to accept gets it and the other offer is gone at once', async () => {
		const [tamara, uros, vuk] = [await agent('Tamara'), await agent('Uroš'), await agent('Vuk')];
		const pages = [await person(browser), await person(browser), await person(browser)];
		const customer = await person(browser);
		try {
			for (const [i, a] of [tamara, uros, vuk].entries()) await signIn(pages[i]!.page, a.rep);
			const [t, u, v] = pages.map((p) => p.page) as [Page, Page, Page];
			const number = await startSession(t);
			await joinAsCustomer(customer.page, number, 'Jovan');
			await visible(customer.page.getByText('Tamara from Support is helping you'));

			await t.getByRole('button', { name: 'Transfer' }).click();
			await t.getByRole('menuitem', { name: 'Transfer session' }).click();
			const dialog = t.getByRole('dialog', { name: `Transfer session ${number}` });
			await dialog.getByRole('tab', { name: 'Agents' }).click();
			await dialog.getByRole('checkbox', { name: /^Uroš/ }).check();
			await dialog.getByRole('checkbox', { name: /^Vuk/ }).check();
			await dialog.getByLabel('Personal message (optional)').fill('Needs the driver — today');
			await dialog.getByRole('button', { name: 'Transfer session' }).click();
			await gone(t.getByRole('tab').filter({ hasText: 'Jovan' }));

			const offerOn = (page: Page) => page.getByRole('region', { name: 'Offers' }).getByRole('article');
			await visible(offerOn(u).getByText('Needs the driver — today'), 20_000);
			await visible(offerOn(v).getByText('Needs the driver — today'), 20_000);
			await offerOn(v).getByRole('button', { name: 'Accept' }).click();
			await visible(customer.page.getByText('Vuk from Support is helping you'));
			await gone(offerOn(u)); // withdrawn at once
			await visible(v.getByRole('tab').filter({ hasText: 'Jovan' }));
			expect(await u.getByRole('tab').filter({ hasText: 'Jovan' }).count()).toBe(0);
			await v.getByRole('button', { name: 'End session' }).click();
			await v.getByRole('dialog').getByRole('button', { name: 'End session' }).click();
		} finally {
			for (const p of [...pages, customer]) await p.context.close();
		}
	});

	it('the same in Serbian: Prenos sesije to a queue, Prihvati', async () => {
		const { rep: dragan } = await agentWithQueue('Dragan', 'Štampači (prenos)', 'sr');
		const { rep: jelena } = await agent('Jelena', 'sr');
		const sr = { email: 'Adresa e-pošte', password: 'Lozinka', signIn: 'Prijavi se' };
		const from = await person(browser, 'sr-Latn-RS');
		const to = await person(browser, 'sr-Latn-RS');
		const customer = await person(browser, 'sr-Latn-RS');
		try {
			for (const p of [from, to]) {
				await p.page.goto('/console');
				await p.page.getByRole('button', { name: 'SR' }).click();
			}
			await signIn(to.page, dragan, sr);
			await signIn(from.page, jelena, sr);
			const number = await startSession(from.page);
			await joinAsCustomer(customer.page, number, 'Milica', { number: 'Broj sesije', name: 'Vaše ime', join: 'Pridruži se' });
			await visible(customer.page.getByText(/Jelena/));

			await from.page.getByRole('button', { name: 'Prenos', exact: true }).click();
			await from.page.getByRole('menuitem', { name: 'Prenos sesije' }).click();
			const dialog = from.page.getByRole('dialog', { name: `Prenos sesije ${number}` });
			await visible(dialog.getByRole('tab', { name: 'Agenti' }));
			await dialog.getByRole('tab', { name: 'Redovi' }).click();
			await dialog.getByRole('radio', { name: /Štampači \(prenos\)/ }).check();
			await dialog.getByLabel('Lična poruka (nije obavezna)').fill('Štampač ne radi — hitno');
			await visible(dialog.getByText('23 / 345'));
			await dialog.getByRole('button', { name: 'Prenos sesije' }).click();
			await visible(customer.page.getByRole('status').filter({ hasText: 'Prebacujemo vas drugom predstavniku podrške' }));

			const offer = to.page.getByRole('region').getByRole('article');
			await visible(offer.getByRole('heading', { name: 'Jelena vam prenosi sesiju: Milica' }), 20_000);
			await visible(offer.getByText('Štampač ne radi — hitno'));
			await offer.getByRole('button', { name: 'Prihvati' }).click();
			await visible(customer.page.getByText(/Dragan/));
			await visible(to.page.getByRole('tab').filter({ hasText: 'Milica' }));
		} finally {
			for (const p of [from, to, customer]) await p.context.close();
		}
	});
});

describe('Supervisor view', () => {
	it('an administrator sees a queue’s waiting customer, the offer made, and the agent’s state change, live', async () => {
		const { rep: zoraRep } = await agentWithQueue('Zora', 'Scanners (supervisor test)');
		const boss = await person(browser);
		const zora = await person(browser);
		const customer = await person(browser);
		try {
			await signIn(boss.page, ADMIN);
			await boss.page.getByRole('button', { name: 'Admin' }).click();
			await boss.page.getByRole('menuitem', { name: 'Supervisor view' }).click();
			const view = boss.page.getByRole('dialog', { name: 'Supervisor view' });
			const queueRow = view.getByRole('region', { name: 'Queues' }).getByRole('row', { name: /Scanners \(supervisor test\)/ });
			const zoraRow = view.getByRole('region', { name: 'Agents' }).getByRole('row', { name: /Zora/ });
			await expect.poll(() => queueRow.getByRole('cell').allTextContents()).toEqual(['0', '—', '0', '0 / 1']);
			await expect.poll(() => zoraRow.getByRole('cell').first().textContent()).toBe('Away'); // not signed in

			await askForHelp(customer.page, 'Petra', 'The scanner jams', 'Scanners (supervisor test)');
			await expect.poll(() => queueRow.getByRole('cell').first().textContent()).toBe('1');
			const sessionRow = view.getByRole('region', { name: /Sessions/ }).getByRole('row', { name: /Petra/ });
			await visible(sessionRow.getByText('Waiting in Scanners (supervisor test)'));

			await signIn(zora.page, zoraRep); // there: available, and offered Petra at once
			await expect.poll(() => zoraRow.getByRole('cell').allTextContents(), { timeout: 20_000 }).toEqual(['Available', '0 / 1', '1']);
			await expect.poll(() => queueRow.getByRole('cell').nth(2).textContent()).toBe('1');
			await zora.page.getByRole('region', { name: 'Offers' }).getByRole('button', { name: 'Accept' }).click();
			await visible(sessionRow.getByRole('cell', { name: 'Zora', exact: true }));
			await expect.poll(() => zoraRow.getByRole('cell').allTextContents()).toEqual(['Busy', '1 / 1', '0']);
		} finally {
			for (const p of [boss, zora, customer]) await p.context.close();
		}
	});
});
