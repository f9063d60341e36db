// Helpers for browser tests: set up accounts through the API (as an admin's script would), and do
// what a person does in the pages (sign in, start, join). playwright-core has no web-first `expect`,
// so `visible`/`gone` wait on locators and vitest's expect.poll waits on values.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Browser, Locator, Page } from 'playwright-core';
import { inject } from 'vitest';
import { baseUrl, person } from './chromium.ts';
import { freePort } from './server.ts';

export const ADMIN = { name: 'Admin', email: 'admin@example.com', password: 'admin-password' };

/** Call a tRPC procedure over HTTP; returns the data and any cookie set. */
export async function trpcCall<T = unknown>(
	path: string,
	input: unknown,
	options: { cookie?: string; method?: 'GET' | 'POST'; base?: string } = {},
): Promise<{ data: T; cookie: string | null }> {
	const method = options.method ?? 'POST';
	const url = `${options.base ?? baseUrl()}/console/api/trpc/${path}${method === 'GET' ? `?input=${encodeURIComponent(JSON.stringify(input))}` : ''}`;
	const res = await fetch(url, {
		method,
		headers: { 'content-type': 'application/json', ...(options.cookie ? { cookie: options.cookie } : {}) },
		body: method === 'POST' ? JSON.stringify(input) : undefined,
	});
	const body = (await res.json()) as { result?: { data: T }; error?: { message: string } };
	if (!res.ok || !body.result) throw new Error(`${path}: ${res.status} ${JSON.stringify(body.error ?? body)}`);
	const setCookie = res.headers.get('set-cookie');
	return { data: body.result.data, cookie: setCookie ? setCookie.split(';')[0]! : null };
}

let adminCookie: Promise<string> | null = null;

/** The site's admin (created on first use), signed in. */
export function admin(): Promise<string> {
	adminCookie ??= (async () => {
		const status = await trpcCall<{ setupNeeded: boolean }>('auth.status', undefined, { method: 'GET' });
		if (status.data.setupNeeded) await trpcCall('auth.createFirstAdmin', ADMIN);
		const { cookie } = await trpcCall('auth.signIn', { email: ADMIN.email, password: ADMIN.password });
		return cookie!;
	})();
	return adminCookie;
}

let reps = 0;

/** A new rep account; returns what they type to sign in. */
export async function createRep(
	name: string,
	options: { sessionMode?: 'single' | 'multi'; maxCustomers?: number; language?: 'en' | 'sr'; isAgent?: boolean } = {},
): Promise<{ name: string; email: string; password: string }> {
	const email = `${name
		.normalize('NFD')
		.replace(/[^a-z0-9]/gi, '')
		.toLowerCase()}.${++reps}.${Date.now()}@example.com`;
	const password = 'rep-password';
	await trpcCall('admin.createRep', { name, email, password, ...options }, { cookie: await admin() });
	return { name, email, password };
}

/** A rep on a server of the test's own (`base`): its first admin is made on the way. */
export async function createRepOn(
	base: string,
	name: string,
	options: { sessionMode?: 'single' | 'multi' } = {},
): Promise<{ name: string; email: string; password: string }> {
	const status = await trpcCall<{ setupNeeded: boolean }>('auth.status', undefined, { method: 'GET', base });
	if (status.data.setupNeeded) await trpcCall('auth.createFirstAdmin', ADMIN, { base });
	const { cookie } = await trpcCall('auth.signIn', { email: ADMIN.email, password: ADMIN.password }, { base });
	const rep = { name, email: `${name.toLowerCase()}.${++reps}@example.com`, password: 'rep-password' };
	await trpcCall('admin.createRep', { ...rep, ...options }, { base, cookie: cookie! });
	return rep;
}

export async function signIn(
	page: Page,
	rep: { email: string; password: string },
	labels = { email: 'E-mail address', password: 'Password', signIn: 'Sign in' },
) {
	await page.goto('/console');
	await page.getByLabel(labels.email).fill(rep.email);
	await page.getByLabel(labels.password).fill(rep.password);
	await page.getByRole('button', { name: labels.signIn }).click();
	await visible(page.getByRole('button', { name: /^(Start|Pokreni)$/ }));
}

/** Start a session from the console (E-mail unchecked unless asked) and return its grouped number. */
export async function startSession(page: Page, options: { email?: boolean } = {}): Promise<string> {
	const tabs = await page.getByRole('tab').allTextContents();
	const email = page.getByRole('checkbox', { name: /^(E-mail|E-pošta)$/ });
	await email.setChecked(options.email ?? false);
	await page.getByRole('button', { name: /^(Start|Pokreni)$/ }).click();
	if (options.email) return '';
	// The new tab may come from the feed a moment before the console opens it: the number is the new one's.
	let number = '';
	await waitFor(async () => {
		if ((await page.getByRole('tab').count()) !== tabs.length + 1) return false;
		number = ((await page.getByRole('toolbar').locator('[data-session-number]').textContent()) ?? '').trim();
		return number !== '' && !tabs.some((t) => t.includes(number));
	});
	return number;
}

export async function joinAsCustomer(
	page: Page,
	number: string,
	name: string,
	labels = { number: 'Session number', name: 'Your name', join: 'Join' },
) {
	await page.goto('/');
	await page.getByLabel(labels.number).fill(number);
	await page.getByLabel(labels.name).fill(name);
	await page.getByRole('button', { name: labels.join, exact: true }).click();
}

export const visible = (l: Locator, timeout = 15_000) => l.first().waitFor({ state: 'visible', timeout });
export const gone = (l: Locator, timeout = 15_000) => l.first().waitFor({ state: 'hidden', timeout });

export async function waitFor(condition: () => Promise<boolean> | boolean, timeout = 15_000): Promise<void> {
	const deadline = Date.now() + timeout;
	while (!(await condition())) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await new Promise((r) => setTimeout(r, 100));
	}
}

/** A <video> in the page (by its accessible name) is playing decoded frames. */
export async function receivesFrames(page: Page, name: string | RegExp, timeout = 20_000): Promise<void> {
	const video = page.getByRole('figure').filter({ hasText: name }).locator('video');
	await video.first().waitFor({ state: 'attached', timeout });
	await waitFor(
		() => video.first().evaluate((v: HTMLVideoElement) => v.videoWidth > 0 && (v.getVideoPlaybackQuality?.().totalVideoFrames ?? 0) > 0),
		timeout,
	);
}

/** How far the site's clock is ahead of the system's (ms). */
export function clockOffset(): number {
	return Number(readFileSync(inject('clockFile'), 'utf8')) || 0;
}

/**
 * Moves the site's clock to `offset` ms ahead of the system's, and waits until the server has acted on the
 * new time (silent consoles noticed, due deadlines fired): what was due has happened when this resolves.
 */
export async function setClockOffset(offset: number): Promise<void> {
	const file = inject('clockFile');
	// Whole or not at all: the server reads the file on every tick of its clock.
	writeFileSync(`${file}.next`, String(offset));
	renameSync(`${file}.next`, file);
	await waitFor(() => {
		try {
			return readFileSync(`${file}.done`, 'utf8') === String(offset);
		} catch {
			return false;
		}
	});
}

/** Moves the site's clock forward by `ms` (see setClockOffset). */
export const advanceClock = (ms: number) => setClockOffset(clockOffset() + ms);

/** The site's time now, as its clock tells it. */
export const siteNow = () => Date.now() + clockOffset();

/**
 * Whether the session is still live, asked of the server by a participant's page (not from what it shows):
 * its media capabilities are answered only while it is.
 */
export async function stillLive(page: Page, sessionId: string): Promise<boolean> {
	const r = await page.evaluate(async (id) => {
		const input = encodeURIComponent(JSON.stringify({ sessionId: id }));
		const res = await fetch(`/console/api/trpc/media.capabilities?input=${input}`);
		return { ok: res.ok, text: await res.text() };
	}, sessionId);
	if (!r.ok && !/sessionEnded|notInSession|sessionNotFound/.test(r.text)) throw new Error(`stillLive: ${r.text}`);
	return r.ok;
}

/** The mail the site sent to `address` (through the suite's SMTP server). */
export async function mailTo(address: string): Promise<ParsedMail> {
	const dir = inject('mailDir');
	let found: ParsedMail | undefined;
	await waitFor(async () => {
		for (const file of readdirSync(dir)) {
			const mail = await simpleParser(readFileSync(join(dir, file)));
			const to = mail.to && !Array.isArray(mail.to) ? mail.to.value : [];
			if (to.some((a) => a.address?.toLowerCase() === address.toLowerCase())) {
				found = mail;
				return true;
			}
		}
		return false;
	});
	return found!;
}

/** Ana, a rep at a desktop, in a new session that Marko joined — from a phone-sized window when asked. */
export async function repWithCustomer(browser: Browser, options: { phone?: boolean } = {}) {
	const ana = await person(browser);
	const marko = await person(browser);
	if (options.phone) await marko.page.setViewportSize({ width: 390, height: 844 });
	await signIn(ana.page, await createRep('Ana'));
	const number = await startSession(ana.page);
	await joinAsCustomer(marko.page, number, 'Marko');
	const close = async () => {
		await ana.context.close();
		await marko.context.close();
	};
	return { ana, marko, number, close };
}

/** The customer shares their screen (the consent dialog first, as on the page). */
export async function customerSharesScreen(page: Page) {
	await page.getByRole('button', { name: 'Share my screen' }).click();
	await page.getByRole('dialog').getByRole('button', { name: 'Choose what to share' }).click();
	await visible(page.getByRole('button', { name: 'Stop sharing' }));
}

/** Something listens on 127.0.0.1:`port`. */
export const listening = (port: number) =>
	new Promise<boolean>((done) => {
		const socket = connect({ host: '127.0.0.1', port }, () => {
			socket.destroy();
			done(true);
		});
		socket.on('error', () => done(false));
	});

/**
 * A media server of the test's own (a server started with `env` uses it): the test knows its secret and
 * can call its control API, or see it outlive an API process.
 */
export async function startOwnSfu() {
	const port = await freePort();
	const secret = randomBytes(24).toString('base64url');
	const url = `http://127.0.0.1:${port}`;
	const recordings = mkdtempSync(join(tmpdir(), 'tandem-own-sfu-'));
	const sfu = spawn(process.execPath, ['apps/sfu/src/main.ts'], {
		env: {
			...process.env,
			TANDEM_SFU_HOST: '127.0.0.1',
			TANDEM_SFU_PORT: String(port),
			TANDEM_SFU_SECRET: secret,
			TANDEM_RECORDINGS_DIR: recordings,
		},
		stdio: 'ignore',
	});
	await waitFor(() => listening(port), 20_000);
	return {
		url,
		secret,
		recordings,
		env: { TANDEM_SFU_URL: url, TANDEM_SFU_SECRET: secret, TANDEM_RECORDINGS_DIR: recordings },
		stop() {
			if (sfu.exitCode === null) sfu.kill('SIGTERM');
			rmSync(recordings, { recursive: true, force: true });
		},
	};
}
