import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CreatePlainTransportResponse, ProduceResponse, RecordingManifest, SessionMediaStats } from '@tandem/sfu-contract';
import {
	childProcessNames,
	opusRtpParameters,
	sendTestAudio,
	sendTestVideo,
	startTestSfu,
	stopChildren,
	testMedia,
	vp8RtpParameters,
	waitFor,
	type TestSfu,
} from './harness.ts';

const run = promisify(execFile);
let sfu: TestSfu;
let brokenSfu: TestSfu | undefined;
let scratch: string;
beforeAll(async () => {
	sfu = await startTestSfu();
	await testMedia();
	scratch = await mkdtemp(path.join(os.tmpdir(), 'tandem-sfu-test-'));
});
afterAll(async () => {
	await stopChildren();
	await sfu?.stop();
	await brokenSfu?.stop();
	await rm(scratch, { recursive: true, force: true });
	expect(await childProcessNames()).toEqual([]);
});

/** A participant's track fed by ffmpeg into a comedia PlainTransport. */
async function feed(
	target: TestSfu,
	sessionId: string,
	participantId: string,
	source: 'screen' | 'microphone',
	ssrc: number,
): Promise<string> {
	const base = `/sessions/${sessionId}/participants/${participantId}`;
	const t = await target.call<CreatePlainTransportResponse>('POST', `${base}/plain-transports`, { direction: 'send' });
	const video = source === 'screen';
	const { producerId } = await target.call<ProduceResponse>('POST', `${base}/produce`, {
		transportId: t.id,
		kind: video ? 'video' : 'audio',
		source,
		rtpParameters: video ? vp8RtpParameters(101, ssrc) : opusRtpParameters(100, ssrc),
	});
	if (video) await sendTestVideo(t, { payloadType: 101, ssrc });
	else await sendTestAudio(t, { payloadType: 100, ssrc });
	await waitFor(
		async () =>
			((await target.call<SessionMediaStats>('GET', `/sessions/${sessionId}/stats`)).producers.find((p) => p.producerId === producerId)
				?.byteCount ?? 0) > 0,
		15_000,
		`RTP from ffmpeg for ${source}`,
	);
	return producerId;
}

async function probe(file: string): Promise<{ duration: number; codec: string }> {
	const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name', '-of', 'json', file]);
	const json = JSON.parse(stdout) as { format: { duration: string }; streams: { codec_name: string }[] };
	return { duration: Number(json.format.duration), codec: json.streams[0]!.codec_name };
}

it('records each track to its own WebM (VP8/Opus, no transcoding); late tracks join, closed tracks end their file', async () => {
	await sfu.call('POST', '/sessions/s-rec');
	const screen = await feed(sfu, 's-rec', 'customer', 'screen', 1111);

	const started = await sfu.call<RecordingManifest>('POST', '/sessions/s-rec/recording/start', { recordingId: 'rec-1' });
	expect(started).toMatchObject({
		recordingId: 'rec-1',
		sessionId: 's-rec',
		status: 'recording',
		tracks: [{ producerId: screen, source: 'screen', kind: 'video', codec: 'video/VP8', participantId: 'customer' }],
	});
	expect(await sfu.raw('POST', '/sessions/s-rec/recording/start', { body: JSON.stringify({ recordingId: 'rec-2' }) })).toMatchObject({
		status: 409,
	});

	// The rep's microphone starts after the recording: it joins.
	const microphone = await feed(sfu, 's-rec', 'rep', 'microphone', 2222);
	await waitFor(
		async () => (await sfu.call<RecordingManifest>('GET', '/sessions/s-rec/recording')).tracks.length === 2,
		10_000,
		'the late track in the recording',
	);
	await sleep(2000); // media to record: the point of this test is a file of a known length
	await sfu.call('POST', `/sessions/s-rec/participants/rep/producers/${microphone}/close`);
	await waitFor(
		async () =>
			(await sfu.call<RecordingManifest>('GET', '/sessions/s-rec/recording')).tracks.find((t) => t.producerId === microphone)?.status ===
			'completed',
		10_000,
		'the closed track’s file to end',
	);
	await sleep(1000);

	const t0 = performance.now();
	const manifest = await sfu.call<RecordingManifest>('POST', '/sessions/s-rec/recording/stop');
	const stopMs = performance.now() - t0;
	expect(manifest.status).toBe('completed');
	expect(manifest.endedAt).toBeGreaterThan(manifest.startedAt);
	expect(JSON.parse(await readFile(path.join(sfu.recordingsDir, 'rec-1', 'manifest.json'), 'utf8'))).toEqual(manifest);
	const byProducer = new Map(manifest.tracks.map((t) => [t.producerId, t]));
	expect(byProducer.get(screen)).toMatchObject({ participantId: 'customer', source: 'screen', kind: 'video', status: 'completed' });
	expect(byProducer.get(microphone)).toMatchObject({
		participantId: 'rep',
		source: 'microphone',
		kind: 'audio',
		codec: 'audio/opus',
		status: 'completed',
	});
	expect(byProducer.get(microphone)!.endedAt!).toBeLessThan(byProducer.get(screen)!.endedAt!);

	for (const track of manifest.tracks) {
		const file = path.join(sfu.recordingsDir, 'rec-1', track.file);
		const { duration, codec } = await probe(file);
		const expected = (track.endedAt! - track.startedAt) / 1000;
		console.log(
			`sfu figures: recorded ${track.kind} ${track.file}: manifest ${expected.toFixed(2)} s, ffprobe ${duration.toFixed(2)} s, ${(await stat(file)).size} bytes`,
		);
		expect(codec).toBe(track.kind === 'video' ? 'vp8' : 'opus');
		expect(Math.abs(duration - expected)).toBeLessThanOrEqual(1);
	}
	console.log(`sfu figures: recording stop (ffmpeg 'q' + manifest) took ${stopMs.toFixed(0)} ms`);
	expect(await sfu.raw('POST', '/sessions/s-rec/recording/stop')).toMatchObject({ status: 409 });
	await sfu.call('DELETE', '/sessions/s-rec');
});

it('marks the recording failed, with ffmpeg’s reason, when ffmpeg quits early', async () => {
	const fakeFfmpeg = path.join(scratch, 'ffmpeg-that-fails');
	await writeFile(fakeFfmpeg, '#!/bin/sh\necho "Could not write header for output file #0 (disk full?)" >&2\nexit 1\n');
	await chmod(fakeFfmpeg, 0o755);
	brokenSfu = await startTestSfu({
		ffmpegPath: fakeFfmpeg,
		rtcMinPort: 43000,
		rtcMaxPort: 43499,
		recordingMinPort: 43500,
		recordingMaxPort: 43999,
	});
	await brokenSfu.call('POST', '/sessions/s-fail');
	const base = '/sessions/s-fail/participants/customer';
	const t = await brokenSfu.call<CreatePlainTransportResponse>('POST', `${base}/plain-transports`, { direction: 'send' });
	const { producerId } = await brokenSfu.call<ProduceResponse>('POST', `${base}/produce`, {
		transportId: t.id,
		kind: 'video',
		source: 'screen',
		rtpParameters: vp8RtpParameters(101, 3333),
	});

	await brokenSfu.call('POST', '/sessions/s-fail/recording/start', { recordingId: 'rec-fail' });
	const failed = await brokenSfu.events.next((e) => e.type === 'recording.failed');
	expect(failed).toMatchObject({ sessionId: 's-fail', recordingId: 'rec-fail', producerId });
	expect(failed.type === 'recording.failed' && failed.reason).toMatch(/exited early \(code 1\).*disk full/);

	const manifest = await brokenSfu.call<RecordingManifest>('POST', '/sessions/s-fail/recording/stop');
	expect(manifest).toMatchObject({
		status: 'failed',
		failureReason: expect.stringMatching(/disk full/),
		tracks: [{ producerId, status: 'failed' }],
	});
	await brokenSfu.call('DELETE', '/sessions/s-fail');
});
