// The support site's front page before its script (UI.md, issue 12): the HTML itself carries the join form in
// the visitor's language, so it shows at once; the script then takes that very form over — what the customer
// typed meanwhile stays, and Join works.

import type { Browser, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, launchChromium, person } from './chromium.ts';
import { createRep, signIn, startSession, visible } from './support.ts';

let browser: Browser;
beforeAll(async () => {
	browser = await launchChromium();
});
afterAll(() => browser?.close());

/** The page as a browser without scripts shows it: its language and the form's visible names. */
async function withoutScript(path: string, acceptLanguage: string, cookie?: string) {
	const context = await browser.newContext({
		baseURL: baseUrl(),
		javaScriptEnabled: false,
		extraHTTPHeaders: { 'Accept-Language': acceptLanguage, ...(cookie ? { cookie } : {}) },
	});
	const page = await context.newPage();
	await page.goto(path);
	const lang = await page.evaluate(() => document.documentElement.lang);
	const joins = await page.getByRole('button', { name: /^(Join|Pridruži se)$/ }).allTextContents();
	const labels = await page.locator('label').allTextContents();
	await context.close();
	return { lang, joins, labels };
}

describe('the landing before its script', () => {
	it('is in the HTML, in the language the browser asks for, ?lang= or the remembered choice first', async () => {
		expect(await withoutScript('/', 'en-US,en;q=0.9')).toEqual({ lang: 'en', joins: ['Join'], labels: ['Session number', 'Your name'] });
		expect(await withoutScript('/', 'sr-Latn-RS,sr;q=0.9,en;q=0.8')).toEqual({
			lang: 'sr',
			joins: ['Pridruži se'],
			labels: ['Broj sesije', 'Vaše ime'],
		});
		// German first, then Serbian: the first the site speaks.
		expect((await withoutScript('/', 'de-DE,de;q=0.9,sr;q=0.8,en;q=0.5')).lang).toBe('sr');
		expect((await withoutScript('/?lang=sr', 'en-US')).lang).toBe('sr');
		expect((await withoutScript('/join/123-456-789', 'en-US', 'PARAGLIDE_LOCALE=sr')).lang).toBe('sr');
		// An invitation's page is another: no join form to flash before it, but the right language.
		expect(await withoutScript('/?invite=abc', 'sr-Latn-RS,sr')).toEqual({ lang: 'sr', joins: [], labels: [] });
	});

	it('keeps what the customer typed before the script ran, and then joins', async () => {
		const rep = await createRep('Lana Landing');
		const ana = await person(browser);
		const marko = await person(browser);
		try {
			await signIn(ana.page, rep);
			const number = await startSession(ana.page);

			// The page's script is held back until the customer has typed.
			let release!: () => void;
			const typed = new Promise<void>((r) => (release = r));
			const held: Promise<void>[] = [];
			await marko.page.route(/\/assets\/index-[^/]+\.js$/, (route: Route) => {
				held.push(typed.then(() => route.continue()));
			});
			await marko.page.goto('/', { waitUntil: 'commit' });
			await visible(marko.page.getByRole('heading', { name: 'Join a support session' }));
			expect(held.length).toBeLessThanOrEqual(1);
			await marko.page.getByLabel('Session number').fill(number);
			await marko.page.getByLabel('Your name').fill('Marko');
			await marko.page.getByLabel('Your name').focus();
			release();
			await Promise.all(held);
			// Taken over in place: the form still holds what was typed, and the focus is where it was.
			await marko.page.waitForLoadState('load'); // after the page's module script has run
			expect(await marko.page.getByLabel('Session number').inputValue()).toBe(number);
			expect(await marko.page.getByLabel('Your name').inputValue()).toBe('Marko');
			expect(await marko.page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.id)).toBe('name');

			await marko.page.getByRole('button', { name: 'Join', exact: true }).click();
			await visible(marko.page.getByRole('button', { name: 'Leave', exact: true }));
			expect(marko.page.url()).toBe(`${baseUrl()}/`);
		} finally {
			await ana.context.close();
			await marko.context.close();
		}
	});
});
