// What the browser transfers (UI.md: the customer's first load ≤ 25 KB): the support site's page and files
// go out brotli- or gzip-compressed to a browser that takes them, as they are to one that does not, and a
// Chromium loading the page receives them compressed.

import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, launchChromium, person } from './chromium.ts';
import { visible } from './support.ts';

/** The raw answer to a GET (not decompressed). */
function get(path: string, acceptEncoding: string): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
	return new Promise((resolve, reject) => {
		request(`${baseUrl()}${path}`, { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
			res.on('error', reject);
		})
			.on('error', reject)
			.end();
	});
}

let browser: Browser;
beforeAll(async () => {
	browser = await launchChromium();
});
afterAll(() => browser?.close());

describe('compression of the support site', () => {
	it('brotli, else gzip, else as it is — the same bytes once decoded; a refused encoding is not sent', async () => {
		const html = (await get('/', 'identity')).body.toString('utf8');
		const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
		expect(script).toBeTruthy();
		for (const path of ['/', script!]) {
			const plain = await get(path, 'identity');
			expect(plain.headers['content-encoding']).toBeUndefined();
			const br = await get(path, 'gzip, deflate, br, zstd');
			expect(br.headers['content-encoding']).toBe('br');
			expect(br.headers.vary).toMatch(/accept-encoding/i);
			expect(br.body.length).toBeLessThan(plain.body.length);
			expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
			const gz = await get(path, 'gzip, br;q=0');
			expect(gz.headers['content-encoding']).toBe('gzip');
			expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
		}
	});

	it('Chromium receives the page’s scripts and styles compressed, and the page works', async () => {
		const { page, context } = await person(browser);
		const encodings: string[] = [];
		page.on('response', (res) => {
			if (/\.(js|css)$/.test(new URL(res.url()).pathname)) encodings.push(res.headers()['content-encoding'] ?? 'none');
		});
		await page.goto('/');
		await visible(page.getByRole('button', { name: 'Join', exact: true }));
		expect(encodings.length).toBeGreaterThan(0);
		expect(new Set(encodings)).toEqual(new Set(['br']));
		await context.close();
	});
});
