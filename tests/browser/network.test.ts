// A real second network and a real second browser (issue "Hold under attack"): the customer's browser runs in
// a network namespace of the test's own, behind a veth pair; the server and the media server listen on the
// host end, and the rep's browser on the host. Media flows over UDP; with UDP blocked in the customer's
// network it falls back to ICE over TCP and still flows; with the media server's ports blocked altogether,
// the rep and the customer are told. The same customer in Firefox ESR (puppeteer-core over WebDriver BiDi):
// its camera reaches the rep, the rep's screen is decoded in Firefox. Skipped, saying why, only where
// namespaces cannot be made (not root).

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from './chromium.ts';
import { watchCsp } from './cspWatch.ts';
import { customerNetwork, networkNamespacesUnavailable, type CustomerNetwork } from './netns/network.ts';
import { GENEROUS_LIMITS, startServer, type RunningServer } from './server.ts';
import { createRepOn, joinAsCustomer, receivesFrames, signIn, startSession, visible, waitFor } from './support.ts';

const unavailable = networkNamespacesUnavailable();
if (unavailable) console.log(`network tests skipped: ${unavailable}`);

const RTC_MIN = 47000;
const RTC_MAX = 47099;
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Records every RTCPeerConnection a page makes, so a test can ask which candidate pair carries its media. */
const RECORD_PEER_CONNECTIONS = () => {
	const Original = window.RTCPeerConnection;
	const all: RTCPeerConnection[] = [];
	(window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections = all;
	window.RTCPeerConnection = class extends Original {
		constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
			super(...args);
			all.push(this);
		}
	};
};

/** The transport protocols (udp, tcp) of the candidate pairs a page's connections selected. */
async function selectedProtocols(page: Page): Promise<string[]> {
	return page.evaluate(async () => {
		const protocols: string[] = [];
		for (const pc of (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections) {
			if (pc.connectionState !== 'connected') continue;
			const stats = [...(await pc.getStats()).values()] as { type: string; id: string; [k: string]: unknown }[];
			const transport = stats.find((s) => s.type === 'transport');
			const pair = stats.find((s) => s.id === transport?.selectedCandidatePairId);
			const local = stats.find((s) => s.id === pair?.localCandidateId);
			if (local) protocols.push(String(local.protocol));
		}
		return protocols;
	});
}

describe.skipIf(!!unavailable)('a customer on another network', () => {
	let net: CustomerNetwork;
	let server: RunningServer;
	let repBrowser: Browser;
	let customerBrowser: Browser;
	const closeAfter: (() => Promise<unknown> | void)[] = [];

	beforeAll(async () => {
		net = customerNetwork();
		server = await startServer(
			{
				...GENEROUS_LIMITS,
				TANDEM_SFU_LISTEN_IP: net.hostIp,
				TANDEM_SFU_RTC_MIN_PORT: String(RTC_MIN),
				TANDEM_SFU_RTC_MAX_PORT: String(RTC_MAX),
				TANDEM_SFU_UNREACHABLE_MS: '4000',
			},
			{ host: net.hostIp },
		);
		// http on a private address is no secure context; a real site is https. Treat this one as secure.
		const secure = `--unsafely-treat-insecure-origin-as-secure=${server.baseUrl}`;
		repBrowser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, secure] });
		customerBrowser = await chromium.launch({
			executablePath: here('./netns/chromiumInNetns.sh'),
			args: [...CHROMIUM_ARGS, secure],
			env: { ...process.env, TANDEM_NETNS: net.name },
		});
	});
	/** Each test's pages and blocks go when it ends (browsers decoding video in the background cost the next one). */
	afterEach(async () => {
		for (const close of closeAfter.splice(0).reverse()) await close();
	});
	afterAll(async () => {
		await customerBrowser?.close();
		await repBrowser?.close();
		await server?.stop();
		net?.close();
	});

	async function people() {
		const repContext = await repBrowser.newContext({ baseURL: server.baseUrl, locale: 'en-US', viewport: { width: 1280, height: 800 } });
		const customerContext = await customerBrowser.newContext({ baseURL: server.baseUrl, locale: 'en-US' });
		for (const c of [repContext, customerContext]) {
			c.setDefaultTimeout(20_000);
			watchCsp(c);
			await c.addInitScript(RECORD_PEER_CONNECTIONS);
		}
		closeAfter.push(
			() => repContext.close(),
			() => customerContext.close(),
		);
		const repPage = await repContext.newPage();
		repPage.on('dialog', (d) => void d.accept());
		const customerPage = await customerContext.newPage();
		// A rep of each test's own: the last test's sessions may still be ending on their console.
		await signIn(repPage, await createRepOn(server.baseUrl, 'Ana'));
		const number = await startSession(repPage);
		await joinAsCustomer(customerPage, number, 'Marko');
		await visible(customerPage.getByText('Ana from Support is helping you'));
		return { repPage, customerPage, number };
	}

	const customerShares = async (page: Page) => {
		await page.getByRole('button', { name: 'Share my screen' }).click();
		await page.getByRole('dialog').getByRole('button', { name: 'Choose what to share' }).click();
		await visible(page.getByRole('button', { name: 'Stop sharing' }));
	};

	it('media flows both ways between the networks, over UDP', async () => {
		const { repPage, customerPage } = await people();
		await customerShares(customerPage);
		await receivesFrames(repPage, 'Screen of Marko');
		await repPage.getByRole('button', { name: 'Share my screen' }).click();
		await receivesFrames(customerPage, 'Screen of Ana');
		expect(await selectedProtocols(customerPage)).toContain('udp');
		expect(await selectedProtocols(customerPage)).not.toContain('tcp');
	});

	it('with UDP blocked in the customer’s network, media falls back to TCP and still flows', async () => {
		net.blockUdp();
		closeAfter.push(() => net.unblock());
		const { repPage, customerPage } = await people();
		await customerShares(customerPage);
		await receivesFrames(repPage, 'Screen of Marko', 40_000);
		const protocols = await selectedProtocols(customerPage);
		expect(protocols.length).toBeGreaterThan(0);
		expect(protocols.every((p) => p === 'tcp')).toBe(true);
		net.unblock();
	});

	it('with the media server’s ports blocked altogether, the rep and the customer are told', async () => {
		net.blockPorts(RTC_MIN, RTC_MAX);
		closeAfter.push(() => net.unblock());
		const { repPage, customerPage } = await people();
		await customerPage.getByRole('button', { name: 'Share my screen' }).click();
		await customerPage.getByRole('dialog').getByRole('button', { name: 'Choose what to share' }).click();
		await visible(repPage.getByRole('log').getByText(/Marko's screen, camera and voice cannot reach the media server/), 30_000);
		await visible(customerPage.getByText(/Your network blocks screen sharing, video and voice/), 10_000);
		net.unblock();
	});

	it('a customer in Firefox ESR: the camera reaches the rep, and the rep’s screen is decoded in Firefox', async () => {
		const repContext = await repBrowser.newContext({ baseURL: server.baseUrl, locale: 'en-US', viewport: { width: 1280, height: 800 } });
		repContext.setDefaultTimeout(20_000);
		watchCsp(repContext);
		closeAfter.push(() => repContext.close());
		const repPage = await repContext.newPage();
		repPage.on('dialog', (d) => void d.accept());
		await signIn(repPage, await createRepOn(server.baseUrl, 'Ana'));
		const number = await startSession(repPage);

		// The customer's whole browser session is a script run inside the customer's network.
		const firefox = spawn(
			'ip',
			['netns', 'exec', net.name, process.execPath, here('./netns/firefoxCustomer.ts'), server.baseUrl, number, 'Marko', 'Ana'],
			{ stdio: ['pipe', 'pipe', 'inherit'] },
		);
		closeAfter.push(() => {
			firefox.stdin?.end('done\n');
			if (firefox.exitCode === null) setTimeout(() => firefox.kill('SIGKILL'), 10_000).unref();
		});
		const steps: Record<string, unknown>[] = [];
		createInterface({ input: firefox.stdout! }).on('line', (line) => {
			try {
				steps.push(JSON.parse(line) as Record<string, unknown>);
			} catch {
				/* not ours */
			}
		});
		const step = async (name: string, timeout: number) => {
			await waitFor(() => steps.some((s) => s.step === name || s.step === 'error'), timeout);
			const error = steps.find((s) => s.step === 'error');
			if (error) throw new Error(`Firefox: ${String(error.message)} ${JSON.stringify(error.videos ?? null)}`);
			return steps.find((s) => s.step === name)!;
		};

		await step('joined', 60_000);
		await step('camera', 30_000);
		await receivesFrames(repPage, 'Camera of Marko', 45_000);
		await repPage.getByRole('button', { name: 'Share my screen' }).click();
		const screen = await step('screen', 60_000);
		// Frames presented within a second, of a picture that is not blank (the fake screen is a moving pattern).
		expect(screen.frames).toBeGreaterThan(0);
		expect(screen.width).toBeGreaterThan(0);
		expect(screen.colours).toBeGreaterThan(10);
		expect(screen.csp, 'Content Security Policy violations in Firefox').toEqual([]);
	});
});
