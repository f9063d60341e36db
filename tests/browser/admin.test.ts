// Administration and abuse limits as people meet them (SPEC §10, §11): an admin adds and edits a rep and
// changes site settings under Admin; the maximum of customers refuses the next one on the support site;
// disabling a rep sends their open console to the sign-in page; a locked account says how long it waits;
// and, on a server of its own with strict limits, a scanning client is held back while another joins.

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, person } from './chromium.ts';
import { startServer, type RunningServer } from './server.ts';
import { ADMIN, admin, createRep, gone, joinAsCustomer, signIn, startSession, trpcCall, visible } from './support.ts';
import { watchCsp } from './cspWatch.ts';

let browser: Browser;
beforeAll(async () => {
	browser = await launchChromium();
});
afterAll(() => browser?.close());

async function openAdmin(page: Page, item: 'Reps' | 'Site settings') {
	await page.getByRole('button', { name: 'Admin', exact: true }).click();
	await page.getByRole('menuitem', { name: item }).click();
	await visible(page.getByRole('dialog', { name: item }));
	return page.getByRole('dialog', { name: item });
}

const settings = async () =>
	(await trpcCall<Record<string, unknown>>('admin.settings', undefined, { method: 'GET', cookie: await admin() })).data;
const restoreSettings = async () =>
	trpcCall('admin.updateSettings', { maxCustomersPerRep: 5, maxSessionsPerRep: 4, gracePeriodSeconds: 30 }, { cookie: await admin() });

describe('administration', () => {
	it('an admin adds a rep, edits them, and changes a site setting; an out-of-range value is refused and changes nothing', async () => {
		const boss = await person(browser);
		const newcomer = await person(browser);
		try {
			await admin();
			await signIn(boss.page, ADMIN);

			// Admin › Reps: add a rep.
			const reps = await openAdmin(boss.page, 'Reps');
			const email = `nina.${Date.now()}@example.com`;
			await reps.getByLabel('Name').fill('Nina');
			await reps.getByLabel('E-mail address').fill(email);
			// A refused field is marked, named in the words, and takes the focus; nothing is written.
			await reps.getByLabel('Password').fill('short');
			await reps.getByRole('button', { name: 'Add rep' }).click();
			await visible(reps.getByRole('alert').getByText('Password: at least 8 characters.'));
			expect(await reps.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
			expect(await reps.getByLabel('Name').getAttribute('aria-invalid')).toBeNull();
			expect(await boss.page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('rep-password');
			await reps.getByLabel('Name').fill(' ');
			await reps.getByLabel('Password').fill('nina-password');
			await reps.getByRole('button', { name: 'Add rep' }).click();
			await visible(reps.getByRole('alert').getByText('Name: please fill this in.'));
			expect(await reps.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');
			expect(await reps.getByLabel('Password').getAttribute('aria-invalid')).toBeNull();
			expect(await reps.locator(`tr[data-rep="${email}"]`).count()).toBe(0);
			await reps.getByLabel('Name').fill('Nina');
			await reps.getByLabel('Session mode').selectOption({ label: 'Single session' });
			await reps.getByLabel('WebACD agent').check();
			await reps.getByRole('button', { name: 'Add rep' }).click();
			await visible(reps.getByRole('status').getByText('Nina can sign in now'));
			const row = reps.locator(`tr[data-rep="${email}"]`);
			await visible(row);
			expect(await row.textContent()).toContain('WebACD agent');
			expect(await row.textContent()).toContain('Single session');

			// Edit her: a maximum of customers of her own, no voice calls; 0 is refused first.
			await reps.getByRole('button', { name: 'Edit Nina' }).click();
			await visible(reps.getByRole('heading', { name: 'Edit Nina' }));
			await reps.getByLabel('Maximum customers at once').fill('0');
			await reps.getByRole('button', { name: 'Save' }).click();
			await visible(reps.getByRole('alert').getByText('Maximum customers at once: enter a whole number from 1 to 100.'));
			expect(await reps.getByLabel('Maximum customers at once').getAttribute('aria-invalid')).toBe('true');
			await reps.getByLabel('Maximum customers at once').fill('2');
			await reps.getByLabel('Voice calls').uncheck();
			await reps.getByRole('button', { name: 'Save' }).click();
			await visible(reps.getByRole('status').getByText('Changes to Nina saved'));
			await expect.poll(async () => await row.textContent()).toContain('Maximum customers at once: 2');
			const nina = (
				await trpcCall<{ email: string; maxCustomers: number | null; voiceCalls: boolean; isAgent: boolean }[]>('admin.reps', undefined, {
					method: 'GET',
					cookie: await admin(),
				})
			).data.find((r) => r.email === email);
			expect(nina).toMatchObject({ maxCustomers: 2, voiceCalls: false, isAgent: true });
			await reps.getByRole('button', { name: 'Close' }).click();
			await gone(boss.page.getByRole('dialog'));

			// She can sign in and start.
			await signIn(newcomer.page, { email, password: 'nina-password' });

			// Admin › Site settings: a negative grace period is refused, names the field, and changes nothing.
			const site = await openAdmin(boss.page, 'Site settings');
			await site.getByLabel('Grace period after a lost connection (seconds)').fill('-5');
			await site.getByLabel('Maximum sessions per rep').fill('6');
			await site.getByRole('button', { name: 'Save' }).click();
			await visible(
				site.getByRole('alert').getByText('Grace period after a lost connection (seconds): enter a whole number from 5 to 3600.'),
			);
			expect(await settings()).toMatchObject({ gracePeriodSeconds: 30, maxSessionsPerRep: 4 });

			await site.getByLabel('Grace period after a lost connection (seconds)').fill('45');
			await site.getByRole('button', { name: 'Save' }).click();
			await visible(site.getByRole('status').getByText('Site settings saved'));
			expect(await settings()).toMatchObject({ gracePeriodSeconds: 45, maxSessionsPerRep: 6 });
		} finally {
			await restoreSettings();
			await boss.context.close();
			await newcomer.context.close();
		}
	});

	it('the maximum of customers a rep helps at once refuses the next customer with a clear message', async () => {
		const boss = await person(browser);
		const rep = await person(browser);
		const first = await person(browser);
		const second = await person(browser);
		try {
			await admin();
			await signIn(boss.page, ADMIN);
			const site = await openAdmin(boss.page, 'Site settings');
			await site.getByLabel('Maximum customers a rep helps at once').fill('1');
			await site.getByRole('button', { name: 'Save' }).click();
			await visible(site.getByRole('status').getByText('Site settings saved'));

			await signIn(rep.page, await createRep('Limit', { sessionMode: 'multi' }));
			const number = await startSession(rep.page);
			await joinAsCustomer(first.page, number, 'Prva');
			await visible(first.page.getByRole('heading', { name: 'Remote Support' }));
			await joinAsCustomer(second.page, number, 'Druga');
			await visible(second.page.getByRole('alert').getByText('The support rep is helping as many customers as they can right now'));
			await visible(rep.page.getByRole('complementary').getByText('Prva'));
			expect(await rep.page.getByRole('complementary').getByText('Druga').count()).toBe(0);
		} finally {
			await restoreSettings();
			for (const p of [boss, rep, first, second]) await p.context.close();
		}
	});

	it('disabling a rep ends their login at once: their open console shows the sign-in page, and they cannot sign in until enabled', async () => {
		const boss = await person(browser);
		const rep = await person(browser);
		try {
			const dragana = await createRep('Dragana');
			await signIn(rep.page, dragana);
			await admin();
			await signIn(boss.page, ADMIN);

			const reps = await openAdmin(boss.page, 'Reps');
			await reps.getByRole('button', { name: 'Disable Dragana' }).click();
			await visible(reps.getByRole('status').getByText('Dragana is disabled and signed out everywhere'));

			// Her console goes to the sign-in page by itself (its feed ended), and says why.
			await visible(rep.page.getByText('Your sign-in has ended. Please sign in again.'));
			await visible(rep.page.getByRole('button', { name: 'Sign in' }));
			expect(await rep.page.getByRole('button', { name: 'Start' }).count()).toBe(0);

			await rep.page.getByLabel('E-mail address').fill(dragana.email);
			await rep.page.getByLabel('Password').fill(dragana.password);
			await rep.page.getByRole('button', { name: 'Sign in' }).click();
			await visible(rep.page.getByRole('alert').getByText('This account is disabled. Ask your administrator.'));

			await reps.getByRole('button', { name: 'Enable Dragana' }).click();
			await visible(reps.getByRole('status').getByText('Dragana can sign in again'));
			await signIn(rep.page, dragana);
		} finally {
			await boss.context.close();
			await rep.context.close();
		}
	});

	it('an admin alone cannot disable themselves: a clear refusal', async () => {
		const boss = await person(browser);
		try {
			await admin();
			await signIn(boss.page, ADMIN);
			const reps = await openAdmin(boss.page, 'Reps');
			await reps.getByRole('button', { name: `Disable ${ADMIN.name}` }).click();
			await visible(reps.getByRole('alert').getByText('The site needs at least one enabled administrator'));
			expect(await reps.locator(`tr[data-rep="${ADMIN.email}"]`).textContent()).not.toContain('Disabled');
			await reps.getByRole('button', { name: 'Close' }).click();
			await visible(boss.page.getByRole('button', { name: 'Start' }));
		} finally {
			await boss.context.close();
		}
	});

	it('after repeated wrong passwords the sign-in page says the account is locked and for how long', async () => {
		const rep = await person(browser);
		try {
			const lena = await createRep('Lena');
			await rep.page.goto('/console');
			await rep.page.getByLabel('E-mail address').fill(lena.email);
			const alert = rep.page.getByRole('alert');
			const attempt = async (password: string) => {
				await rep.page.getByLabel('Password').fill(password);
				await Promise.all([
					rep.page.waitForResponse((r) => r.url().includes('auth.signIn')),
					rep.page.getByRole('button', { name: 'Sign in' }).click(),
				]);
			};
			// The server's default policy: the 5th failure locks for 30 s.
			for (let i = 1; i <= 4; i++) {
				await attempt(`wrong-password-${i}`);
				await visible(alert.getByText('Wrong e-mail address or password.'));
			}
			await attempt('wrong-password-5');
			await visible(alert.getByText('Too many failed sign-ins from here. Try again in 1 min.'));
			// Even the right password waits.
			await attempt(lena.password);
			await visible(alert.getByText('Too many failed sign-ins from here. Try again in 1 min.'));
			expect(await rep.page.getByRole('button', { name: 'Start' }).count()).toBe(0);
		} finally {
			await rep.context.close();
		}
	});
});

describe('wrong session numbers', () => {
	// A server of its own: strict limits, behind a "proxy" it trusts, so that browsers that all come
	// from 127.0.0.1 count as different clients by their X-Forwarded-For.
	let server: RunningServer;
	beforeAll(async () => {
		server = await startServer({
			TANDEM_TRUST_PROXY: 'true',
			TANDEM_NUMBER_FREE_ATTEMPTS: '3',
			TANDEM_NUMBER_BACKOFF_BASE_MS: '30000',
			TANDEM_NUMBER_BACKOFF_MAX_MS: '600000',
		});
		// Warm the fresh server's pages (its first render is slow on a busy machine).
		await fetch(`${server.baseUrl}/console`);
		await fetch(`${server.baseUrl}/`);
	});
	afterAll(() => server?.stop());

	async function call<T>(path: string, input: unknown, cookie?: string): Promise<{ data: T; cookie: string | null }> {
		const res = await fetch(`${server.baseUrl}/console/api/trpc/${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
			body: JSON.stringify(input),
		});
		const body = (await res.json()) as { result?: { data: T }; error?: unknown };
		if (!res.ok || !body.result) throw new Error(`${path}: ${res.status} ${JSON.stringify(body.error)}`);
		return { data: body.result.data, cookie: res.headers.get('set-cookie')?.split(';')[0] ?? null };
	}

	async function from(address: string): Promise<{ context: BrowserContext; page: Page }> {
		const context = await browser.newContext({
			baseURL: server.baseUrl,
			locale: 'en-US',
			extraHTTPHeaders: { 'Accept-Language': 'en-US,en', 'X-Forwarded-For': address },
			viewport: { width: 1280, height: 800 },
		});
		context.setDefaultTimeout(15_000);
		watchCsp(context);
		return { context, page: await context.newPage() };
	}

	it('the back-off blocks a scanning client, while another client joins at once', async () => {
		const { cookie } = await call('auth.createFirstAdmin', ADMIN);
		const ana = { email: 'ana@example.com', password: 'ana-password' };
		await call('admin.createRep', { name: 'Ana', ...ana }, cookie!);

		const rep = await from('192.0.2.10');
		const scanner = await from('203.0.113.7');
		const customer = await from('198.51.100.9');
		try {
			await signIn(rep.page, ana);
			const number = await startSession(rep.page);

			// Three wrong numbers are answered plainly.
			for (const wrong of ['999 999 991', '999 999 992', '999 999 993']) {
				await joinAsCustomer(scanner.page, wrong, 'Scanner');
				await visible(scanner.page.getByRole('alert').getByText('No live session has this number'));
			}
			// The fourth starts a wait, and says how long.
			await joinAsCustomer(scanner.page, '999 999 995', 'Scanner');
			await visible(scanner.page.getByRole('alert').getByText('Too many wrong numbers — try again in 30 s.'));
			// While it waits, even the right number is refused.
			await joinAsCustomer(scanner.page, number, 'Scanner');
			await visible(scanner.page.getByRole('alert').getByText(/Too many wrong numbers — try again in \d+ s\./));
			expect(await rep.page.getByRole('complementary').getByText('Scanner').count()).toBe(0);

			// Another client joins at once.
			await joinAsCustomer(customer.page, number, 'Marko');
			await visible(customer.page.getByRole('heading', { name: 'Remote Support' }));
			await visible(rep.page.getByRole('complementary').getByText('Marko'));
		} finally {
			for (const p of [rep, scanner, customer]) await p.context.close();
		}
	});
});
