// Crashes, as an operator meets them (issue "Core, second shape"): the server killed with SIGKILL — it
// cannot clean up — must not leave its media server holding the port, a start that finds one left behind
// replaces it, and an effect that was committed but had not run when the API process died still runs after
// the restart (the SFU's own stats say so). Each test starts servers of its own; the suite's is not touched.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, person } from './chromium.ts';
import { freePort, GENEROUS_LIMITS, startServer, type RunningServer } from './server.ts';
import { gone, joinAsCustomer, receivesFrames, signIn, startSession, trpcCall, visible, waitFor } from './support.ts';

let browser: Browser;
const cleanUp: (() => Promise<void> | void)[] = [];
beforeAll(async () => {
	browser = await launchChromium();
});
afterAll(async () => {
	for (const step of cleanUp.reverse()) await step();
	await browser?.close();
});

const alive = (pid: number) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};

const listening = (port: number) =>
	new Promise<boolean>((done) => {
		const socket = connect({ host: '127.0.0.1', port }, () => {
			socket.destroy();
			done(true);
		});
		socket.on('error', () => done(false));
	});

async function killHard(server: RunningServer): Promise<void> {
	const exited = new Promise((r) => (server.process.exitCode !== null ? r(null) : server.process.once('exit', r)));
	server.process.kill('SIGKILL');
	await exited;
}

/** The site's first admin and one rep on `base`; returns the rep's sign-in. */
async function setUpSite(base: string, repNames: string[]) {
	const adminAccount = { name: 'Admin', email: 'admin@example.com', password: 'admin-password' };
	const { cookie } = await trpcCall('auth.createFirstAdmin', adminAccount, { base });
	const reps = [];
	for (const name of repNames) {
		const rep = { name, email: `${name.toLowerCase()}@example.com`, password: 'rep-password' };
		await trpcCall('admin.createRep', rep, { base, cookie: cookie! });
		reps.push(rep);
	}
	return reps;
}

/** Media works through `base`: a rep's new session gets the router's capabilities and a WebRTC transport. */
async function mediaWorks(base: string, rep: { email: string; password: string }) {
	const { cookie } = await trpcCall('auth.signIn', { email: rep.email, password: rep.password }, { base });
	const { data: session } = await trpcCall<{ id: string }>('session.start', undefined, { base, cookie: cookie! });
	try {
		const { data: caps } = await trpcCall<{ rtpCapabilities: { codecs: unknown[] } }>(
			'media.capabilities',
			{ sessionId: session.id },
			{ base, cookie: cookie!, method: 'GET' },
		);
		expect(caps.rtpCapabilities.codecs.length).toBeGreaterThan(0);
		const { data: transport } = await trpcCall<{ id: string }>(
			'media.createTransport',
			{ sessionId: session.id, direction: 'send' },
			{ base, cookie: cookie! },
		);
		expect(transport.id).toMatch(/.+/);
	} finally {
		await trpcCall('session.end', { sessionId: session.id }, { base, cookie: cookie! });
	}
}

const sfuPidFile = (server: RunningServer) => join(server.dataDir, `sfu-${server.port + 1000}.pid`);

describe('a server killed with SIGKILL', () => {
	it('takes its media server with it; the next start on the same port and data has working media', async () => {
		const first = await startServer({}, { keepData: true });
		cleanUp.push(() => rmSync(first.dataDir, { recursive: true, force: true }));
		const [rep] = await setUpSite(first.baseUrl, ['Mila']);
		await mediaWorks(first.baseUrl, rep!);
		const sfuPid = Number(readFileSync(sfuPidFile(first), 'utf8'));
		expect(alive(sfuPid)).toBe(true);

		await killHard(first);
		// Nobody steps in: the media server notices that its server is gone and frees the port.
		await waitFor(() => !alive(sfuPid), 20_000);
		await waitFor(async () => !(await listening(first.port + 1000)), 5_000);

		const second = await startServer({}, { port: first.port, dataDir: first.dataDir, keepData: true });
		cleanUp.push(() => second.stop());
		await mediaWorks(second.baseUrl, rep!);
	});

	it('a start that finds a media server left behind by a killed server replaces it', async () => {
		const dataDir = mkdtempSync(join(tmpdir(), 'tandem-stale-'));
		cleanUp.push(() => rmSync(dataDir, { recursive: true, force: true }));
		const port = await freePort();
		// A media server that does not watch for its parent (started by an older release, or hung), with a
		// secret the next server will not know, holding the port the next server wants.
		const stale: ChildProcess = spawn(process.execPath, ['apps/sfu/src/main.ts'], {
			env: {
				...process.env,
				TANDEM_SFU_HOST: '127.0.0.1',
				TANDEM_SFU_PORT: String(port + 1000),
				TANDEM_SFU_SECRET: randomBytes(24).toString('base64url'),
				TANDEM_RECORDINGS_DIR: join(dataDir, 'recordings'),
			},
			stdio: 'ignore',
		});
		cleanUp.push(() => void (stale.exitCode === null && stale.kill('SIGKILL')));
		await waitFor(() => listening(port + 1000), 20_000);
		writeFileSync(join(dataDir, `sfu-${port + 1000}.pid`), String(stale.pid));

		const server = await startServer({}, { port, dataDir, keepData: true });
		cleanUp.push(() => server.stop());
		expect(alive(stale.pid!)).toBe(false);
		expect(server.output()).toContain('Replacing the media server');
		const [rep] = await setUpSite(server.baseUrl, ['Nada']);
		await mediaWorks(server.baseUrl, rep!);
	});
});

describe('a media server killed with SIGKILL', () => {
	it('is started again by its server, and media works again within seconds', async () => {
		const server = await startServer({}, { keepData: true });
		cleanUp.push(() => server.stop());
		cleanUp.push(() => rmSync(server.dataDir, { recursive: true, force: true }));
		const [rep] = await setUpSite(server.baseUrl, ['Olga']);
		await mediaWorks(server.baseUrl, rep!);
		const killed = Number(readFileSync(sfuPidFile(server), 'utf8'));
		process.kill(killed, 'SIGKILL');
		const killedAt = Date.now();
		await waitFor(() => {
			const now = existsSync(sfuPidFile(server)) ? Number(readFileSync(sfuPidFile(server), 'utf8')) : 0;
			return now > 0 && now !== killed && alive(now);
		}, 10_000);
		await waitFor(async () => {
			try {
				await mediaWorks(server.baseUrl, rep!);
				return true;
			} catch {
				return false;
			}
		}, 10_000);
		expect(Date.now() - killedAt).toBeLessThan(10_000);
	});
});

/** The SFU's own totals, asked with its secret. */
async function sfuStats(url: string, secret: string): Promise<{ producers: number; recordings: number; sessions: number }> {
	const res = await fetch(`${url}/stats`, { headers: { 'x-tandem-sfu-secret': secret } });
	expect(res.status).toBe(200);
	return (await res.json()) as { producers: number; recordings: number; sessions: number };
}

async function customerShares(page: Page) {
	await page.getByRole('button', { name: 'Share my screen' }).click();
	await page.getByRole('dialog').getByRole('button', { name: 'Choose what to share' }).click();
	await visible(page.getByRole('button', { name: 'Stop sharing' }));
}

describe('an effect that was committed when the API process died', () => {
	it('runs after the restart: the recording stops and the share is closed in the SFU that ran on its own', async () => {
		const sfuPort = await freePort();
		const secret = randomBytes(24).toString('base64url');
		const sfuUrl = `http://127.0.0.1:${sfuPort}`;
		const recordings = mkdtempSync(join(tmpdir(), 'tandem-own-sfu-'));
		cleanUp.push(() => rmSync(recordings, { recursive: true, force: true }));
		const sfu = spawn(process.execPath, ['apps/sfu/src/main.ts'], {
			env: {
				...process.env,
				TANDEM_SFU_HOST: '127.0.0.1',
				TANDEM_SFU_PORT: String(sfuPort),
				TANDEM_SFU_SECRET: secret,
				TANDEM_RECORDINGS_DIR: recordings,
			},
			stdio: 'ignore',
		});
		cleanUp.push(() => void (sfu.exitCode === null && sfu.kill('SIGTERM')));
		await waitFor(() => listening(sfuPort), 20_000);

		const own = { ...GENEROUS_LIMITS, TANDEM_SFU_URL: sfuUrl, TANDEM_SFU_SECRET: secret, TANDEM_RECORDINGS_DIR: recordings };
		// While this file exists, this run of the API commits what it is asked and does not get round to its effects.
		const pause = join(recordings, 'pause-effects');
		const first = await startServer({ ...own, TANDEM_TEST_PAUSE_EFFECTS_FILE: pause }, { keepData: true });
		cleanUp.push(() => rmSync(first.dataDir, { recursive: true, force: true }));
		const [ana, jelena] = await setUpSite(first.baseUrl, ['Ana', 'Jelena']);
		const rep = await person(browser, 'en-US', first.baseUrl);
		const assistant = await person(browser, 'en-US', first.baseUrl);
		const customer = await person(browser, 'en-US', first.baseUrl);
		cleanUp.push(async () => {
			for (const p of [rep, assistant, customer]) await p.context.close();
		});
		rep.page.on('dialog', (d) => void d.accept());
		await signIn(rep.page, ana!);
		await signIn(assistant.page, jelena!);
		const number = await startSession(rep.page);
		await joinAsCustomer(customer.page, number, 'Marko');
		await assistant.page.getByRole('button', { name: 'Provide Support' }).click();
		await assistant.page.getByRole('menuitem', { name: 'Assist Session' }).click();
		await assistant.page.getByLabel('Session number').fill(number);
		await assistant.page.getByRole('button', { name: 'Join' }).click();
		await visible(assistant.page.getByRole('button', { name: 'Leave' }));

		await customerShares(customer.page);
		await receivesFrames(rep.page, 'Screen of Marko');
		await rep.page.getByRole('button', { name: 'Record' }).click();
		await visible(customer.page.getByText('This session is being recorded'));
		await waitFor(async () => (await sfuStats(sfuUrl, secret)).recordings === 1, 20_000);

		// The transfer commits (everyone's page shows it), and its effect has not run: the SFU still records.
		writeFileSync(pause, '');
		await rep.page.getByRole('button', { name: 'Transfer control' }).click();
		await rep.page.getByRole('dialog').getByLabel('Jelena').check();
		await rep.page.getByRole('dialog').getByRole('button', { name: 'Transfer control', exact: true }).click();
		await gone(rep.page.getByRole('dialog'));
		await gone(customer.page.getByText('This session is being recorded'));
		const before = await sfuStats(sfuUrl, secret);
		expect(before.recordings).toBe(1);
		expect(before.producers).toBeGreaterThan(0);

		await killHard(first);
		expect(existsSync(join(first.dataDir, 'pglite'))).toBe(true);
		const second = await startServer(own, { port: first.port, dataDir: first.dataDir, keepData: true });
		cleanUp.push(() => second.stop());
		await waitFor(async () => {
			const stats = await sfuStats(sfuUrl, secret);
			return stats.recordings === 0 && stats.producers === 0;
		}, 20_000);
	});
});
