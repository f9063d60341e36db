// Media that mends itself (issue "What people see"): when the media server cuts a viewer's receiving
// transport, the viewer's page notices (Chromium says 'disconnected' a few seconds later), takes a new
// transport and consumes again — the shared screen comes back without anyone pressing anything.
// Both sides are told in words while it happens. The test runs a media server of its own: it needs the SFU's secret to cut the transport from that side.
// A picture that arrives but never shows a frame (a black tile) is watched for too: consumed again once,
// then told in words.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionMediaStats } from '@tandem/sfu-contract';
import { launchChromium, person } from './chromium.ts';
import { GENEROUS_LIMITS, startServer } from './server.ts';
import { FIRST_FRAME_MS } from '@tandem/core/media-client';
import {
	createRep,
	createRepOn,
	customerSharesScreen,
	joinAsCustomer,
	receivesFrames,
	signIn,
	startOwnSfu,
	startSession,
	trpcCall,
	waitFor,
} from './support.ts';

let browser: Browser;
const cleanUp: (() => Promise<void> | void)[] = [];
beforeAll(async () => {
	browser = await launchChromium();
});
afterAll(async () => {
	for (const step of cleanUp.reverse()) await step();
	await browser?.close();
});

describe('media connections the media server cut', () => {
	it("a viewer gets the shared screen back by itself; a sender's share stops for real; both sides are told in words", async () => {
		const sfu = await startOwnSfu();
		cleanUp.push(() => sfu.stop());
		const { url: sfuUrl, secret } = sfu;
		const server = await startServer({ ...GENEROUS_LIMITS, ...sfu.env });
		cleanUp.push(() => server.stop());
		await trpcCall(
			'auth.createFirstAdmin',
			{ name: 'Admin', email: 'admin@example.com', password: 'admin-password' },
			{ base: server.baseUrl },
		);
		const ana = await person(browser, 'en-US', server.baseUrl);
		const marko = await person(browser, 'en-US', server.baseUrl);
		cleanUp.push(async () => {
			await ana.context.close();
			await marko.context.close();
		});
		await signIn(ana.page, await createRepOn(server.baseUrl, 'Ana'));
		const number = await startSession(ana.page);
		await joinAsCustomer(marko.page, number, 'Marko');
		await customerSharesScreen(marko.page);
		await receivesFrames(ana.page, 'Screen of Marko');

		const sessionId = await ana.page.locator('[data-session-id]').first().getAttribute('data-session-id');
		const sfuCall = async <T>(path: string, body?: unknown): Promise<T> => {
			const res = await fetch(`${sfuUrl}${path}`, {
				method: body === undefined ? 'GET' : 'POST',
				headers: { 'x-tandem-sfu-secret': secret, 'content-type': 'application/json' },
				...(body === undefined ? {} : { body: JSON.stringify(body) }),
			});
			expect(res.status).toBe(200);
			return (await res.json()) as T;
		};
		const consumers = async () => (await sfuCall<SessionMediaStats>(`/sessions/${sessionId}/stats`)).consumers;
		const [first] = await consumers();
		expect(first).toBeDefined();
		// Every word the rep's page says of its media connection, however briefly it is on screen.
		await ana.page.evaluate(() => {
			const said: string[] = [];
			Object.assign(window, { said });
			new MutationObserver(() => {
				for (const p of document.querySelectorAll('p.trouble'))
					if (p.textContent && !said.includes(p.textContent)) said.push(p.textContent);
			}).observe(document.body, { subtree: true, childList: true, characterData: true });
		});
		const cut = await sfuCall<{ closed: string[] }>(`/sessions/${sessionId}/participants/${first!.participantId}/transports/close`, {
			direction: 'recv',
		});
		expect(cut.closed).toHaveLength(1);
		expect(await consumers()).toEqual([]);

		// Both sides are told in words: the rep that the picture stopped and is coming back, then that it is
		// back; the customer that the rep lost the media server (so "can you see my screen?" has an answer).
		await Promise.all([
			ana.page.getByRole('status').filter({ hasText: 'Reconnected to the media server.' }).waitFor({ timeout: 30_000 }),
			marko.page.getByText('Ana lost the connection to the media server and is reconnecting.').waitFor({ timeout: 30_000 }),
		]);
		const said = await ana.page.evaluate(() => (window as unknown as { said: string[] }).said);
		expect(said).toContain('The picture and sound stopped: the connection to the media server was lost. Reconnecting…');

		// The rep's page asks again on its own: a new consumer of the same share, and new frames on screen.
		await waitFor(async () => (await consumers()).some((c) => c.participantId === first!.participantId), 30_000);
		const video = ana.page.getByRole('figure').filter({ hasText: 'Screen of Marko' }).locator('video').first();
		const frames = () => video.evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames);
		const before = await frames();
		await waitFor(async () => (await frames()) >= before + 5, 20_000);
		await waitFor(async () => (await consumers()).some((c) => c.participantId === first!.participantId && c.byteCount > 0), 10_000);

		// What is sent cannot be mended from the other side: the customer's sending transport cut, the share
		// stops for real — the customer's button says so, and both are told why.
		const stats = await sfuCall<SessionMediaStats>(`/sessions/${sessionId}/stats`);
		const screen = stats.producers.find((p) => p.source === 'screen');
		expect(screen).toBeDefined();
		await sfuCall(`/sessions/${sessionId}/participants/${screen!.participantId}/transports/close`, { direction: 'send' });
		await Promise.all([
			marko.page.getByRole('button', { name: 'Share my screen' }).waitFor({ timeout: 15_000 }),
			marko.page
				.getByText('Your screen sharing stopped: the connection to the media server was lost. You can share again.')
				.waitFor({ timeout: 15_000 }),
			ana.page.getByText("Marko's screen sharing stopped: the media connection was lost.").waitFor({ timeout: 15_000 }),
		]);
		expect(await marko.page.getByRole('button', { name: 'Stop sharing' }).count()).toBe(0);
		await waitFor(async () => (await ana.page.getByRole('figure').filter({ hasText: 'Screen of Marko' }).count()) === 0, 10_000);
	});

	it('a picture that never shows a frame is consumed again once, then the rep is told in words; the customer hears of it', async () => {
		const ana = await person(browser);
		const marko = await person(browser);
		try {
			// Ana's browser takes the picture in but never decodes it (frames wait for a script that never reads
			// them): her page's connection is up, her tile stays black.
			await ana.context.addInitScript(() => {
				const Native = window.RTCPeerConnection;
				const Blocked = function (config?: RTCConfiguration) {
					return new Native({ ...config, encodedInsertableStreams: true } as RTCConfiguration);
				} as unknown as typeof RTCPeerConnection;
				Object.setPrototypeOf(Blocked, Native);
				Blocked.prototype = Native.prototype;
				window.RTCPeerConnection = Blocked;
			});
			// Her page's connections, to tell when the one that receives is up.
			await ana.context.addInitScript(() => {
				const Native = window.RTCPeerConnection;
				const all: RTCPeerConnection[] = [];
				(window as unknown as { tandemConnections: RTCPeerConnection[] }).tandemConnections = all;
				window.RTCPeerConnection = new Proxy(Native, {
					construct(target, args: [RTCConfiguration?]) {
						const pc = new target(...args);
						all.push(pc);
						return pc;
					},
				});
			});
			const connected = () =>
				waitFor(() =>
					ana.page.evaluate(() =>
						(window as unknown as { tandemConnections: RTCPeerConnection[] }).tandemConnections.some(
							(pc) => pc.connectionState === 'connected',
						),
					),
				);
			await ana.page.clock.install();
			await signIn(ana.page, await createRep('Ana'));
			const number = await startSession(ana.page);
			await joinAsCustomer(marko.page, number, 'Marko');
			await customerSharesScreen(marko.page);
			const view = ana.page.getByRole('figure').filter({ hasText: 'Screen of Marko' });
			await view.waitFor();
			const shown = () =>
				view
					.locator('video')
					.first()
					.evaluate((v: HTMLVideoElement) => v.videoWidth);
			// Connected, and the key frame asked for at once would have shown by now.
			await connected();
			await ana.page.waitForTimeout(1000);
			expect(await shown()).toBe(0);

			// Ten seconds without a first frame: Ana's page consumes again on a new connection, and says so;
			// Marko is told that Ana lost the media server.
			await ana.page.clock.fastForward(FIRST_FRAME_MS + 1000);
			await Promise.all([
				ana.page.getByRole('status').filter({ hasText: 'Reconnected to the media server.' }).waitFor({ timeout: 30_000 }),
				marko.page.getByText('Ana lost the connection to the media server and is reconnecting.').waitFor({ timeout: 30_000 }),
			]);
			// Still nothing: now it is said what is wrong and what to try (the clock moves on until it is: the new
			// picture's watch starts once it is consumed again, a moment after the connection is back).
			const words = ana.page
				.getByRole('status')
				.filter({ hasText: 'A picture reaches this page but cannot be shown here (it stays black).' });
			await waitFor(async () => {
				await ana.page.clock.fastForward(2_000);
				return words.isVisible();
			}, 30_000);
			expect(await shown()).toBe(0);
			// The share ends: so do the words about it.
			await marko.page.getByRole('button', { name: 'Stop sharing' }).click();
			await words.waitFor({ state: 'hidden', timeout: 15_000 });
		} finally {
			await ana.context.close();
			await marko.context.close();
		}
	});
});
