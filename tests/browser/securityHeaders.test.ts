// Security headers (issue "Hold under attack", finding 5): the support site, the console and the API may not
// be framed by another site (a support session clickjacked), send no referrer with their links (invitation
// tokens are in them), say what the pages may use (camera, microphone, screen: this site only), and are
// never sniffed as another type.

import { describe, expect, it } from 'vitest';
import { baseUrl } from './chromium.ts';

describe('security headers', () => {
	it.each(['/', '/console', '/console/api/trpc/auth.status', '/assets/nothing-here.js'])('%s carries them', async (path) => {
		const res = await fetch(`${baseUrl()}${path}`);
		const csp = res.headers.get('content-security-policy') ?? '';
		expect(csp).toContain("frame-ancestors 'none'");
		expect(csp).toContain("object-src 'none'");
		expect(csp).toContain("base-uri 'none'");
		expect(res.headers.get('x-frame-options')).toBe('DENY');
		expect(res.headers.get('referrer-policy')).toBe('no-referrer');
		expect(res.headers.get('x-content-type-options')).toBe('nosniff');
		expect(res.headers.get('permissions-policy')).toMatch(/camera=\(self\).*microphone=\(self\).*display-capture=\(self\)/);
		// Plain http here: no HSTS (it is sent when the public address is https).
		expect(res.headers.get('strict-transport-security')).toBeNull();
	});
});
