// Every browser test fails on a Content Security Policy violation its pages report (issue "Hold under
// attack"): what the pages load or run beyond the policy is a bug of the page, or a hole in the policy,
// and later features keep to it. Chromium reports each violation on the page's console.

import type { BrowserContext } from 'playwright-core';

const violations: string[] = [];

/** Notes every CSP violation reported in the context's pages (and their workers). */
export function watchCsp(context: BrowserContext): void {
	context.on('console', (message) => {
		if (/Content Security Policy/i.test(message.text())) violations.push(`${message.location().url}: ${message.text()}`);
	});
}

/** The violations noted since the last call (and forgets them). */
export function takeCspViolations(): string[] {
	return violations.splice(0);
}
