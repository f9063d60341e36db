// Recordings in the console (SPEC §9), as a rep meets them: a recording of a session they are in (laid
// out on disk as the media server does: real WebM tracks made by ffmpeg and a manifest whose tracks start
// a second apart) is listed under Recordings, plays back with its tracks on one clock and the control
// timeline, and Export fills its progress bar and gives a WebM that Chromium plays for the recording's
// duration. Its files are served with Range (seeking) and only to reps who may see them.
// (Recording through the SFU end to end is the media tests' part.)

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { baseUrl, launchChromium, person } from './chromium.ts';
import { createRep, siteNow, trpcCall, visible, waitFor } from './support.ts';

const run = promisify(execFile);
const media = mkdtempSync(join(tmpdir(), 'tandem-tracks-'));

let browser: Browser;
beforeAll(async () => {
	const quiet = ['-hide_banner', '-loglevel', 'error', '-y'];
	await Promise.all([
		launchChromium().then((b) => (browser = b)),
		run('ffmpeg', [
			...quiet,
			'-f',
			'lavfi',
			'-i',
			'testsrc=size=320x180:rate=15',
			'-t',
			'3',
			'-c:v',
			'libvpx',
			'-deadline',
			'realtime',
			'-cpu-used',
			'8',
			join(media, 'video.webm'),
		]),
		run('ffmpeg', [
			...quiet,
			'-f',
			'lavfi',
			'-i',
			'sine=frequency=440:sample_rate=48000',
			'-t',
			'3',
			'-c:a',
			'libopus',
			join(media, 'audio.webm'),
		]),
	]);
});
afterAll(async () => {
	await browser?.close();
	rmSync(media, { recursive: true, force: true });
});

const SCREEN = '01-screen-p1.webm';
const VOICE = '02-microphone-p2.webm';

/** A 4 s recording of the session: Rita's screen 0–3 s, her voice 1–4 s. */
function putRecording(sessionId: string, participantId: string): string {
	const recordingId = `${sessionId}-9000001`;
	const folder = join(inject('dataDir'), 'recordings', recordingId);
	mkdirSync(folder, { recursive: true });
	copyFileSync(join(media, 'video.webm'), join(folder, SCREEN));
	copyFileSync(join(media, 'audio.webm'), join(folder, VOICE));
	// The session's events are on the site's clock, which other tests move ahead of the system's.
	const t0 = siteNow();
	const track = { participantId, status: 'completed' };
	writeFileSync(
		join(folder, 'manifest.json'),
		JSON.stringify({
			recordingId,
			sessionId,
			startedAt: t0,
			endedAt: t0 + 4000,
			status: 'completed',
			tracks: [
				{
					...track,
					file: SCREEN,
					producerId: 'p1',
					source: 'screen',
					kind: 'video',
					codec: 'video/VP8',
					startedAt: t0,
					endedAt: t0 + 3000,
				},
				{
					...track,
					file: VOICE,
					producerId: 'p2',
					source: 'microphone',
					kind: 'audio',
					codec: 'audio/opus',
					startedAt: t0 + 1000,
					endedAt: t0 + 4000,
				},
			],
		}),
	);
	return recordingId;
}

describe('recordings', () => {
	it('lists a recording, plays its tracks in sync with the control timeline, and exports one WebM with a progress bar', async () => {
		const rita = await createRep('Rita');
		const { cookie } = await trpcCall('auth.signIn', { email: rita.email, password: rita.password });
		const { data: session } = await trpcCall<{ id: string; me: { participantId: string } }>('session.start', undefined, {
			cookie: cookie!,
		});
		const recordingId = putRecording(session.id, session.me.participantId);

		const { context, page } = await person(browser);
		try {
			const [name, value] = cookie!.split('=') as [string, string];
			await context.addCookies([{ name, value, url: baseUrl() }]);
			await page.goto('/console');

			await page.getByRole('toolbar').getByRole('button', { name: 'Tools' }).click();
			await page.getByRole('menuitem', { name: 'Recordings' }).click();
			const dialog = page.getByRole('dialog', { name: /^Recordings/ });
			await visible(dialog.getByText('Length 0:04'));
			await visible(dialog.getByText('Screen of Rita'));
			await visible(dialog.getByText('Voice of Rita'));

			// Play: the screen's <video> loads; the clock runs; the voice starts at 1 s.
			await dialog.getByRole('button', { name: /^Play the recording of / }).click();
			const player = dialog.getByRole('region', { name: /^Recording of / });
			const video = player.locator(`video[data-track="${SCREEN}"]`);
			const audio = player.locator(`audio[data-track="${VOICE}"]`);
			await waitFor(() => video.evaluate((v: HTMLVideoElement) => v.readyState >= 1 && v.videoWidth === 320));
			await visible(player.getByRole('list', { name: 'Who had control' }).getByText('Rita'));
			// The same stage as a live share: the 320×180 screen fitted big to the player, then one pixel for one.
			const width = () => video.evaluate((v: HTMLVideoElement) => v.getBoundingClientRect().width);
			const stageTools = player.getByRole('toolbar', { name: /Screen of Rita/ });
			expect(await stageTools.getByRole('button', { name: 'Fit' }).getAttribute('aria-pressed')).toBe('true');
			await waitFor(async () => (await width()) > 600);
			await stageTools.getByRole('button', { name: 'Actual size' }).click();
			await waitFor(async () => Math.abs((await width()) - 320) < 2);
			await stageTools.getByRole('button', { name: 'Fit' }).click();
			await player.getByRole('button', { name: 'Play', exact: true }).click();
			await waitFor(() => audio.evaluate((a: HTMLAudioElement) => !a.paused && a.currentTime > 0.2), 15_000);
			// In sync: the voice runs one second behind the screen (each within the drift allowed of the player's
			// clock, 0.25 s, so the two within twice that, plus a frame).
			const [screenAt, voiceAt] = await page.evaluate(
				([s, v]) => [
					(document.querySelector(`video[data-track="${s}"]`) as HTMLVideoElement).currentTime,
					(document.querySelector(`audio[data-track="${v}"]`) as HTMLAudioElement).currentTime,
				],
				[SCREEN, VOICE],
			);
			expect(Math.abs(screenAt! - voiceAt! - 1)).toBeLessThan(0.55);
			// Sought to 3.5 s: the screen has ended (paused), the voice is a second behind the clock (within the drift
			// allowed), whether it still plays or the clock has reached the end.
			const slider = player.getByRole('slider', { name: 'Position' });
			await slider.fill('3.5');
			await waitFor(() => video.evaluate((v: HTMLVideoElement) => v.paused));
			await waitFor(() =>
				page.evaluate(
					([v]) => {
						const clock = Number((document.querySelector('input[type="range"]') as HTMLInputElement).value);
						const voice = (document.querySelector(`audio[data-track="${v}"]`) as HTMLAudioElement).currentTime;
						return clock >= 3.5 && Math.abs(voice - (clock - 1)) <= 0.3;
					},
					[VOICE],
				),
			);
			// Stopped, if it still plays.
			await player
				.locator('.transport button[aria-pressed="true"]')
				.evaluateAll((buttons) => buttons.forEach((b) => (b as HTMLButtonElement).click()));

			// The files are served with Range; nobody else gets them; no other names.
			const url = `/console/api/recordings/${recordingId}/${SCREEN}`;
			const ranged = await page.evaluate(async (u) => {
				const res = await fetch(u, { headers: { Range: 'bytes=0-99' } });
				return {
					status: res.status,
					range: res.headers.get('content-range'),
					type: res.headers.get('content-type'),
					bytes: (await res.arrayBuffer()).byteLength,
				};
			}, url);
			expect(ranged).toMatchObject({ status: 206, type: 'video/webm', bytes: 100 });
			expect(ranged.range).toMatch(/^bytes 0-99\/\d+$/);
			expect((await fetch(`${baseUrl()}${url}`)).status).toBe(401);
			expect(
				(await fetch(`${baseUrl()}/console/api/recordings/${recordingId}/manifest.json`, { headers: { cookie: cookie! } })).status,
			).toBe(404);
			expect((await fetch(`${baseUrl()}/console/api/recordings/${recordingId}/export.webm`, { headers: { cookie: cookie! } })).status).toBe(
				404,
			);

			// Export: the progress bar fills while the job runs, then a download link.
			const started = Date.now();
			await dialog.getByRole('button', { name: /^Export the recording of / }).click();
			const progress = dialog.getByRole('progressbar', { name: 'Export progress' });
			await visible(progress);
			const download = dialog.getByRole('link', { name: 'Download the export' });
			const seen: number[] = [];
			await waitFor(async () => {
				if (await download.isVisible()) return true;
				const value = await progress.evaluate((p: HTMLProgressElement) => p.value).catch(() => null);
				if (value !== null) seen.push(value);
				return false;
			}, 120_000);
			console.info(
				`export in the console: ${((Date.now() - started) / 1000).toFixed(1)} s for a 4 s recording; progress seen: ${[...new Set(seen.map((v) => v.toFixed(2)))].join(' ')}`,
			);
			expect(seen).toEqual([...seen].sort((a, b) => a - b));
			expect(await progress.evaluate((p: HTMLProgressElement) => p.value)).toBe(1);

			// The export plays in Chromium for the recording's duration.
			const href = (await download.getAttribute('href'))!;
			const duration = await page.evaluate(
				(src) =>
					new Promise<number>((resolve, reject) => {
						const v = document.createElement('video');
						v.muted = true;
						v.preload = 'metadata';
						v.onloadedmetadata = () => resolve(v.duration);
						v.onerror = () => reject(new Error(`cannot load ${src}: ${v.error?.message}`));
						v.src = src;
					}),
				href,
			);
			expect(Math.abs(duration - 4)).toBeLessThanOrEqual(1);
		} finally {
			await context.close();
		}
	});
});
