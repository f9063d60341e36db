// Media that mends itself (issue "What people see"): when the media server cuts a viewer's receiving
// transport, the viewer's page notices (Chromium says 'disconnected' a few seconds later), takes a new
// transport and consumes again — the shared screen comes back without anyone pressing anything.
// The test runs a media server of its own: it needs the SFU's secret to cut the transport from that side.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionMediaStats } from '@tandem/sfu-contract';
import { launchChromium, person } from './chromium.ts';
import { GENEROUS_LIMITS, startServer } from './server.ts';
import {
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

describe('a viewer whose media connection the media server cut', () => {
	it('gets the shared screen back by itself, on a new transport', async () => {
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
		const cut = await sfuCall<{ closed: string[] }>(`/sessions/${sessionId}/participants/${first!.participantId}/transports/close`, {
			direction: 'recv',
		});
		expect(cut.closed).toHaveLength(1);
		expect(await consumers()).toEqual([]);

		// The rep's page asks again on its own: a new consumer of the same share, and new frames on screen.
		await waitFor(async () => (await consumers()).some((c) => c.participantId === first!.participantId), 30_000);
		const video = ana.page.getByRole('figure').filter({ hasText: 'Screen of Marko' }).locator('video').first();
		const frames = () => video.evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames);
		const before = await frames();
		await waitFor(async () => (await frames()) >= before + 5, 20_000);
		await waitFor(async () => (await consumers()).some((c) => c.participantId === first!.participantId && c.byteCount > 0), 10_000);
	});
});
