// Security headers (issue "Hold under attack", finding 5): the support site, the console and the API may not
// be framed by another site (a support session clickjacked), send no referrer with their links (invitation
// tokens are in them), say what the pages may use (camera, microphone, screen: this site only), and are
// never sniffed as another type. The pages run only this site's scripts and styles: a script injected
// into a page (an XSS that got past the escaping) does not run, and says so as a violation.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, launchChromium, person } from './chromium.ts';
import { takeCspViolations } from './cspWatch.ts';
import { visible } from './support.ts';

/** A policy's directives by name. */
function directives(policy: string): Map<string, string[]> {
	return new Map(
		policy
			.split(';')
			.map((d) => d.trim().split(/\s+/))
			.filter((d) => d[0])
			.map(([name, ...values]) => [name!, values]),
	);
}

describe('security headers', () => {
	it.each(['/', '/console', '/console/api/trpc/auth.status', '/assets/nothing-here.js'])('%s carries them', async (path) => {
		const res = await fetch(`${baseUrl()}${path}`);
		const csp = directives(res.headers.get('content-security-policy') ?? '');
		expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
		expect(csp.get('object-src')).toEqual(["'none'"]);
		expect(csp.get('base-uri')).toEqual(["'none'"]);
		expect(csp.get('form-action')).toEqual(["'self'"]);
		expect(res.headers.get('x-frame-options')).toBe('DENY');
		expect(res.headers.get('referrer-policy')).toBe('no-referrer');
		expect(res.headers.get('x-content-type-options')).toBe('nosniff');
		expect(res.headers.get('permissions-policy')).toMatch(/camera=\(self\).*microphone=\(self\).*display-capture=\(self\)/);
		// Plain http here: no HSTS (it is sent when the public address is https).
		expect(res.headers.get('strict-transport-security')).toBeNull();
	});

	it.each(['/', '/console'])('the page at %s may run and style only what this site serves', async (path) => {
		const res = await fetch(`${baseUrl()}${path}`);
		const csp = directives(res.headers.get('content-security-policy') ?? '');
		expect(csp.get('default-src')).toEqual(["'self'"]);
		for (const name of ['script-src', 'style-src']) {
			const sources = csp.get(name) ?? [];
			expect(sources[0]).toBe("'self'");
			// Beyond this site: only nonces or hashes of what the page itself carries — never any inline code.
			// (A hashed style attribute needs 'unsafe-hashes': the console allows SvelteKit's announcer's, by its hash.)
			const beyond = sources.slice(1).filter((s) => !(name === 'style-src' && s === "'unsafe-hashes'"));
			expect(beyond.every((s) => /^'(nonce|sha256)-[A-Za-z0-9+/=_-]+'$/.test(s))).toBe(true);
			expect(sources).not.toContain("'unsafe-inline'");
		}
	});

	it('answers that are not pages allow nothing to load', async () => {
		const res = await fetch(`${baseUrl()}/console/api/trpc/auth.status`);
		expect(directives(res.headers.get('content-security-policy') ?? '').get('default-src')).toEqual(["'none'"]);
	});
});

describe('a script injected into a page', () => {
	let browser: Browser;
	beforeAll(async () => {
		browser = await launchChromium();
	});
	afterAll(() => browser?.close());

	it.each([
		['the support site', '/', 'Session number'],
		['the console', '/console', 'E-mail address'],
	])('does not run on %s, and the page reports the violation', async (_where, path, label) => {
		const { context, page } = await person(browser);
		try {
			await page.goto(path);
			await visible(page.getByLabel(label));
			const ran = await page.evaluate(async () => {
				const w = window as unknown as { injected?: boolean };
				const script = document.createElement('script');
				script.textContent = 'window.injected = true';
				document.body.append(script);
				const style = document.createElement('div');
				style.setAttribute('style', 'color: red');
				document.body.append(style);
				await new Promise((r) => setTimeout(r, 200));
				return { script: w.injected === true, style: getComputedStyle(style).color === 'rgb(255, 0, 0)' };
			});
			expect(ran).toEqual({ script: false, style: false });
			const seen = takeCspViolations();
			expect(seen.some((v) => /script/i.test(v))).toBe(true);
			expect(seen.some((v) => /style/i.test(v))).toBe(true);
		} finally {
			await context.close();
		}
	});
});
