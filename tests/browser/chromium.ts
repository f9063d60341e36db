// The system Chromium driven by playwright-core (no browser download), with the flags this machine needs.

import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromiumFlags.ts';
import { watchCsp } from './cspWatch.ts';

export { CHROMIUM_ARGS };

export async function launchChromium(): Promise<Browser> {
	return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export const baseUrl = () => inject('baseUrl');

/** A person's browser: its own cookies, in a language; on the suite's server unless `base` names another. */
export async function person(
	browser: Browser,
	locale: 'en-US' | 'sr-Latn-RS' = 'en-US',
	base: string = baseUrl(),
): Promise<{ context: BrowserContext; page: Page }> {
	const context = await browser.newContext({
		baseURL: base,
		locale,
		extraHTTPHeaders: { 'Accept-Language': locale === 'en-US' ? 'en-US,en' : 'sr-Latn-RS,sr' },
		viewport: { width: 1440, height: 900 },
	});
	context.setDefaultTimeout(15_000);
	watchCsp(context);
	const page = await context.newPage();
	return { context, page };
}
