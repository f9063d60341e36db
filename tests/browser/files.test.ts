// File transfer as people use it (SPEC §9): a 20 MB file each way between the rep and the customer, the
// receiver accepting before downloading, progress seen on both sides while it goes (the sender's upload
// held to 5 MB/s by Chromium's own throttling, so it lasts long enough to watch), and the downloaded bytes'
// SHA-256 equal to the sent file's and to the one both pages show.

import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { baseUrl, launchChromium, person } from './chromium.ts';
import { dropProxy } from './dropProxy.ts';
import { createRep, joinAsCustomer, signIn, startSession, visible, waitFor } from './support.ts';

let browser: Browser;
let dir: string;
beforeAll(async () => {
	browser = await launchChromium();
	dir = mkdtempSync(join(tmpdir(), 'tandem-files-'));
});
afterAll(async () => {
	await browser?.close();
	rmSync(dir, { recursive: true, force: true });
});

const MB = 1024 * 1024;

/** A file of random bytes and its SHA-256. */
function aFile(name: string, size: number) {
	const path = join(dir, name);
	const bytes = randomBytes(size);
	writeFileSync(path, bytes);
	return { path, name, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Holds the page's uploads to `bytesPerSecond` (Chromium's network throttling). */
async function throttleUploads(page: Page, bytesPerSecond: number) {
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('Network.enable');
	await cdp.send('Network.emulateNetworkConditions', {
		offline: false,
		latency: 0,
		downloadThroughput: -1,
		uploadThroughput: bytesPerSecond,
	});
}

/** Watches a file's progress bar on a page: every value seen until it is gone (the file complete). */
function watchProgress(page: Page, name: string) {
	const seen: number[] = [];
	let stop = false;
	const done = (async () => {
		while (!stop) {
			const value = await page
				.locator(`[data-file="${name}"] progress`)
				.evaluate((p: HTMLProgressElement) => p.value, undefined, { timeout: 200 })
				.catch(() => null);
			if (value !== null) seen.push(value);
			await page.waitForTimeout(100);
		}
	})();
	return {
		seen,
		stop: async () => {
			stop = true;
			await done;
		},
	};
}

async function downloadedHash(page: Page, name: string): Promise<string> {
	const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: `Download ${name}` }).click()]);
	return createHash('sha256')
		.update(readFileSync((await download.path())!))
		.digest('hex');
}

describe('file transfer', () => {
	it('20 MB each way: accepted, progress on both sides, the same SHA-256 downloaded as sent and as shown', async () => {
		const rep = await person(browser);
		const customer = await person(browser);
		await signIn(rep.page, await createRep('Ana'));
		const number = await startSession(rep.page);
		await joinAsCustomer(customer.page, number, 'Mira');
		await visible(customer.page.getByText('Ana from Support is helping you'));

		// Ana sends a file to Mira (the customer in focus).
		const manual = aFile('manual.bin', 20 * MB);
		await throttleUploads(rep.page, 5 * MB);
		const atRep = watchProgress(rep.page, manual.name);
		const atCustomer = watchProgress(customer.page, manual.name);
		// Tools › Send file opens the file picker.
		const [chooser] = await Promise.all([
			rep.page.waitForEvent('filechooser'),
			(async () => {
				await rep.page.getByRole('button', { name: 'Tools' }).click();
				await rep.page.getByRole('menuitem', { name: 'Send file' }).click();
			})(),
		]);
		await chooser.setFiles(manual.path);
		await customer.page.getByRole('button', { name: 'Accept' }).click({ timeout: 15_000 });
		await visible(customer.page.getByText(`SHA-256 ${manual.sha256}`), 30_000);
		await visible(rep.page.getByText(`SHA-256 ${manual.sha256}`));
		await atRep.stop();
		await atCustomer.stop();
		expect(atRep.seen.some((v) => v > 0 && v < 20 * MB)).toBe(true);
		expect(atCustomer.seen.some((v) => v > 0 && v < 20 * MB)).toBe(true);
		expect(await downloadedHash(customer.page, manual.name)).toBe(manual.sha256);
		await visible(customer.page.getByText('Ana sent the file manual.bin to Mira'));

		// Mira sends one back: it goes to Ana, who accepts it.
		const log = aFile('log.bin', 20 * MB);
		await throttleUploads(customer.page, 5 * MB);
		const back = watchProgress(rep.page, log.name);
		const sending = watchProgress(customer.page, log.name);
		await customer.page.locator('input[type=file]').setInputFiles(log.path);
		await rep.page.getByRole('button', { name: 'Accept' }).click({ timeout: 15_000 });
		await visible(rep.page.getByText(`SHA-256 ${log.sha256}`), 30_000);
		await visible(customer.page.getByText(`SHA-256 ${log.sha256}`));
		await back.stop();
		await sending.stop();
		expect(back.seen.some((v) => v > 0 && v < 20 * MB)).toBe(true);
		expect(sending.seen.some((v) => v > 0 && v < 20 * MB)).toBe(true);
		expect(await downloadedHash(rep.page, log.name)).toBe(log.sha256);
		await waitFor(async () => (await rep.page.locator('[data-file]').count()) === 2);
		await rep.context.close();
		await customer.context.close();
	});

	it('a transfer of control cancels an upload in flight: both sides are told, and its partial data is gone from disk', async () => {
		const rep = await person(browser);
		const assistant = await person(browser);
		const customer = await person(browser);
		await signIn(rep.page, await createRep('Ana'));
		const number = await startSession(rep.page);
		await joinAsCustomer(customer.page, number, 'Mira');
		await visible(customer.page.getByText('Ana from Support is helping you'));
		await signIn(assistant.page, await createRep('Bojan'));
		await assistant.page.getByRole('button', { name: 'Provide Support' }).click();
		await assistant.page.getByRole('menuitem', { name: 'Assist Session' }).click();
		await assistant.page.getByLabel('Session number').fill(number);
		await assistant.page.getByRole('button', { name: 'Join' }).click();
		await visible(rep.page.getByRole('complementary').getByText('Bojan joined'));

		// Ana's upload crawls (1 MB/s): the transfer comes while it is on its way.
		const big = aFile('big.bin', 20 * MB);
		const before = uploadsOnDisk();
		await throttleUploads(rep.page, 1 * MB);
		await rep.page.locator('input[type=file]').setInputFiles(big.path);
		await visible(customer.page.locator('[data-file="big.bin"]').getByText('Sending'));
		const fileId = await newUploadOnDisk(before);
		await rep.page.getByRole('button', { name: 'Transfer control' }).click();
		await rep.page.getByRole('dialog').getByLabel('Bojan').check();
		await rep.page.getByRole('dialog').getByRole('button', { name: 'Transfer control', exact: true }).click();

		for (const page of [rep.page, customer.page, assistant.page]) await visible(page.getByText('The file big.bin was cancelled'));
		await visible(customer.page.locator('[data-file="big.bin"]').getByText('Cancelled'));
		await visible(rep.page.locator('[data-file="big.bin"]').getByText('Cancelled'));
		await waitFor(() => !existsSync(join(filesDir(), fileId)));
		for (const c of [rep, assistant, customer]) await c.context.close();
	});
	it('an upload cut off halfway goes on from where it stopped, and arrives whole', async () => {
		const rep = await person(browser);
		// Mira's network can drop: she reaches the site through a proxy the test cuts.
		const network = await dropProxy(baseUrl());
		const customer = await person(browser, 'en-US', network.url);
		await signIn(rep.page, await createRep('Ana'));
		const number = await startSession(rep.page);
		await joinAsCustomer(customer.page, number, 'Mira');
		await visible(customer.page.getByText('Ana from Support is helping you'));

		const photo = aFile('photo.bin', 20 * MB);
		const before = uploadsOnDisk();
		await throttleUploads(customer.page, 4 * MB);
		await customer.page.locator('input[type=file]').setInputFiles(photo.path);
		const fileId = await newUploadOnDisk(before);
		await waitFor(() => statSync(join(filesDir(), fileId)).size >= 4 * MB);
		network.cut();
		const stoppedAt = statSync(join(filesDir(), fileId)).size;
		expect(stoppedAt).toBeLessThan(20 * MB);
		await customer.page.waitForTimeout(2_000);
		network.restore();

		await rep.page.getByRole('button', { name: 'Accept' }).click({ timeout: 15_000 });
		await visible(rep.page.getByText(`SHA-256 ${photo.sha256}`), 60_000);
		expect(await downloadedHash(rep.page, photo.name)).toBe(photo.sha256);
		await rep.context.close();
		await customer.context.close();
		await network.close();
	});
});

const filesDir = () => join(inject('dataDir'), 'files');

/** The uploads in the data directory's files/ (by their ids). */
const uploadsOnDisk = () => (existsSync(filesDir()) ? readdirSync(filesDir()).filter((n) => /^[0-9a-f-]{36}$/.test(n)) : []);

/** The id of an upload not there `before` once its first bytes have landed on disk. */
async function newUploadOnDisk(before: string[]): Promise<string> {
	let found = '';
	await waitFor(() => {
		found = uploadsOnDisk().find((n) => !before.includes(n) && statSync(join(filesDir(), n)).size > 0) ?? '';
		return found !== '';
	});
	return found;
}
