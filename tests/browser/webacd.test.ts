// WebACD as people meet it (SPEC §7, §8): a customer with no number asks for help, sees their place in line
// and an estimate, and is in the session the moment an agent accepts the offer that appears on the agent's
// console — no reload, no second form. Three customers wait; the first leaves; the others move up.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, person } from './chromium.ts';
import { admin, createRep, signIn, trpcCall, visible, waitFor } from './support.ts';

let browser: Browser;
beforeAll(async () => {
	browser = await launchChromium();
});
afterAll(() => browser?.close());

/** An agent of a queue of their own (unique names: the suite's site is shared). */
async function agentWithQueue(name: string, queueName: string) {
	const rep = await createRep(name, { isAgent: true });
	const cookie = await admin();
	const reps = (await trpcCall<{ id: string; email: string }[]>('admin.reps', undefined, { cookie, method: 'GET' })).data;
	const id = reps.find((r) => r.email === rep.email)!.id;
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

	it('three customers wait; the first leaves the line; the others move up', async () => {
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
		} finally {
			for (const p of people) await p.context.close();
		}
	});
});
