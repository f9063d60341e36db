// Recordings through the real tRPC router (SPEC §9): a recording folder as the media server leaves it
// (real WebM tracks made by ffmpeg, a manifest whose tracks start ~1 s apart) is listed with who produced
// each track, its control timeline follows a transfer, and Export makes one WebM that ffprobe reads with
// both streams and the recording's duration. Who may see it: reps who took part, administrators.

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, copyFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingManifest } from '../src/recordings/manifest.ts';
import { refusalOf, world, type Browser, type World } from './harness.ts';

const run = promisify(execFile);
const media = mkdtempSync(join(tmpdir(), 'tandem-tracks-'));

/** Three seconds of VP8 test pattern and of an Opus sine, made once. */
async function makeTracks(): Promise<void> {
	const quiet = ['-hide_banner', '-loglevel', 'error', '-y'];
	await run('ffmpeg', [
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
	]);
	await run('ffmpeg', [
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
	]);
}

/** Lays a recording folder out as the SFU does: the track files and manifest.json. */
function putRecording(dir: string, manifest: RecordingManifest, files: Record<string, 'video' | 'audio'>): void {
	const folder = join(dir, manifest.recordingId);
	mkdirSync(folder, { recursive: true });
	for (const [name, kind] of Object.entries(files)) copyFileSync(join(media, `${kind}.webm`), join(folder, name));
	writeFileSync(join(folder, 'manifest.json'), JSON.stringify(manifest, null, 2));
}

let eventIds = 1000;
function manifestFor(
	sessionId: string,
	t0: number,
	participants: { video: string; audio: string },
	overrides: Partial<RecordingManifest> = {},
): RecordingManifest {
	const recordingId = `${sessionId}-${++eventIds}`;
	return {
		recordingId,
		sessionId,
		startedAt: t0,
		endedAt: t0 + 4000,
		status: 'completed',
		tracks: [
			{
				file: '01-screen-p1.webm',
				producerId: 'p1',
				participantId: participants.video,
				source: 'screen',
				kind: 'video',
				codec: 'video/VP8',
				startedAt: t0,
				endedAt: t0 + 3000,
				status: 'completed',
			},
			{
				file: '02-microphone-p2.webm',
				producerId: 'p2',
				participantId: participants.audio,
				source: 'microphone',
				kind: 'audio',
				codec: 'audio/opus',
				startedAt: t0 + 1000,
				endedAt: t0 + 4000,
				status: 'completed',
			},
		],
		...overrides,
	};
}
const trackFiles = { '01-screen-p1.webm': 'video', '02-microphone-p2.webm': 'audio' } as const;

async function probe(file: string): Promise<{ streams: { codec_name: string; codec_type: string }[]; format: { duration: string } }> {
	const { stdout } = await run('ffprobe', [
		'-v',
		'error',
		'-show_entries',
		'stream=codec_name,codec_type:format=duration',
		'-of',
		'json',
		file,
	]);
	return JSON.parse(stdout);
}

beforeAll(makeTracks, 120_000);
afterAll(() => rmSync(media, { recursive: true, force: true }));

describe('recordings: list, control timeline, export', () => {
	let w: World;
	let dir: string;
	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'tandem-recordings-'));
		w = await world('pglite', { recordingsDir: dir });
	});
	afterAll(async () => {
		await w?.close();
		rmSync(dir, { recursive: true, force: true });
	});

	it('lists a recording with who produced each track, the timeline of a transfer, and exports one WebM of both tracks', async () => {
		const ana = await w.rep('Ana');
		const jelena = await w.rep('Jelena');
		const s = await (await ana.api()).session.start();
		const assisted = await (await jelena.api()).session.assist({ number: s.numberFormatted });
		const anaId = s.me!.participantId;
		const jelenaId = assisted.me!.participantId;

		// The recording started now; control goes to Jelena about a second in.
		const t0 = Date.now();
		const manifest = manifestFor(s.id, t0, { video: anaId, audio: jelenaId });
		putRecording(dir, manifest, trackFiles);
		await new Promise((r) => setTimeout(r, 1000));
		await (await ana.api()).session.transferControl({ sessionId: s.id, to: jelenaId });

		const [listed, ...more] = await (await ana.api()).recordings.list({ sessionId: s.id });
		expect(more).toEqual([]);
		expect(listed).toMatchObject({
			recordingId: manifest.recordingId,
			sessionId: s.id,
			status: 'completed',
			duration: 4,
			export: { state: 'idle', progress: 0 },
		});
		expect(listed!.tracks).toEqual([
			expect.objectContaining({
				file: '01-screen-p1.webm',
				name: 'Ana',
				source: 'screen',
				kind: 'video',
				offset: 0,
				duration: 3,
				playable: true,
			}),
			expect.objectContaining({
				file: '02-microphone-p2.webm',
				name: 'Jelena',
				source: 'microphone',
				kind: 'audio',
				offset: 1,
				duration: 3,
				playable: true,
			}),
		]);

		// The assistant (controller now) sees the same recording, and who had control when.
		const timeline = await (await jelena.api()).recordings.timeline({ recordingId: manifest.recordingId, sessionId: s.id });
		expect(timeline.duration).toBe(4);
		expect(timeline.control.map((c) => c.name)).toEqual(['Ana', 'Jelena']);
		expect(timeline.control[0]!.start).toBe(0);
		expect(timeline.control[1]!.start).toBeGreaterThan(0.9);
		expect(timeline.control[1]!.start).toBeLessThan(2);
		expect(timeline.control[0]!.end).toBe(timeline.control[1]!.start);
		expect(timeline.control[1]!.end).toBe(4);

		// Export: a background job; asking again while it runs starts nothing new.
		const started = Date.now();
		const api = await ana.api();
		expect(await api.recordings.export({ recordingId: manifest.recordingId })).toMatchObject({ state: 'running' });
		expect(await api.recordings.export({ recordingId: manifest.recordingId })).toMatchObject({ state: 'running' });
		const seen: number[] = [];
		for (;;) {
			const status = await api.recordings.exportStatus({ recordingId: manifest.recordingId });
			if (status.state !== 'running') {
				expect(status).toEqual({ state: 'done', progress: 1 });
				break;
			}
			seen.push(status.progress);
			await new Promise((r) => setTimeout(r, 100));
		}
		const seconds = (Date.now() - started) / 1000;
		console.info(`export of a 4 s recording (3 s VP8 + 3 s Opus) took ${seconds.toFixed(1)} s`);
		expect(seen).toEqual([...seen].sort((a, b) => a - b));
		expect(await api.recordings.export({ recordingId: manifest.recordingId })).toEqual({ state: 'done', progress: 1 });

		const file = await w.services.recordings.file(await repOf(w, ana), manifest.recordingId, 'export.webm');
		const probed = await probe(file.path);
		expect(probed.streams.map((st) => `${st.codec_type}/${st.codec_name}`).sort()).toEqual(['audio/opus', 'video/vp8']);
		expect(Math.abs(Number(probed.format.duration) - 4)).toBeLessThanOrEqual(1);
		expect((await api.recordings.list({ sessionId: s.id }))[0]!.export).toEqual({ state: 'done', progress: 1 });
	});

	it('says why a recording failed; one still recording is listed but not exported', async () => {
		const ana = await w.rep('Ana');
		const s = await (await ana.api()).session.start();
		const me = s.me!.participantId;
		const failed = manifestFor(
			s.id,
			Date.now() - 10_000,
			{ video: me, audio: me },
			{ status: 'failed', failureReason: 'ffmpeg exited early (code 1)' },
		);
		failed.tracks[1] = { ...failed.tracks[1]!, status: 'failed', failureReason: 'ffmpeg exited early (code 1)' };
		putRecording(dir, failed, { '01-screen-p1.webm': 'video' });
		const running = manifestFor(s.id, Date.now() - 2000, { video: me, audio: me }, { status: 'recording', endedAt: null });
		running.tracks = running.tracks.map((t) => ({ ...t, endedAt: null, status: 'recording' as const }));
		putRecording(dir, running, trackFiles);

		const api = await ana.api();
		const list = await api.recordings.list({ sessionId: s.id });
		expect(list.map((r) => [r.recordingId, r.status, r.failureReason])).toEqual([
			[failed.recordingId, 'failed', 'ffmpeg exited early (code 1)'],
			[running.recordingId, 'recording', undefined],
		]);
		expect(list[0]!.tracks.map((t) => [t.status, t.playable, t.failureReason])).toEqual([
			['completed', true, undefined],
			['failed', false, 'ffmpeg exited early (code 1)'],
		]);
		expect(list[1]!.duration).toBeGreaterThanOrEqual(2);
		expect(await refusalOf(api.recordings.export({ recordingId: running.recordingId }))).toBe('recordingInProgress');
	});
});

async function repOf(w: World, b: Browser) {
	const token = b.cookies.get('tandem_rep') ?? null;
	return w.services.reps.repForToken(token);
}

describe.each(['pglite', 'postgres'] as const)('who may see recordings, on %s', (kind) => {
	let w: World;
	let dir: string;
	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'tandem-recordings-'));
		w = await world(kind, { recordingsDir: dir });
	});
	afterAll(async () => {
		await w?.close();
		rmSync(dir, { recursive: true, force: true });
	});

	it('refuses other reps, anonymous callers, foreign recording ids and file names not in the manifest', async () => {
		const ana = await w.rep('Ana');
		const bob = await w.rep('Bob');
		const mine = await (await ana.api()).session.start();
		const his = await (await bob.api()).session.start();
		const a = manifestFor(mine.id, Date.now(), { video: mine.me!.participantId, audio: mine.me!.participantId });
		const b = manifestFor(his.id, Date.now(), { video: his.me!.participantId, audio: his.me!.participantId });
		putRecording(dir, a, trackFiles);
		putRecording(dir, b, trackFiles);

		// Another rep (not in the session) sees nothing of it.
		const bobApi = await bob.api();
		expect(await refusalOf(bobApi.recordings.list({ sessionId: mine.id }))).toBe('notInSession');
		expect(await refusalOf(bobApi.recordings.timeline({ recordingId: a.recordingId }))).toBe('notInSession');
		expect(await refusalOf(bobApi.recordings.export({ recordingId: a.recordingId }))).toBe('notInSession');
		expect(await refusalOf(bobApi.recordings.exportStatus({ recordingId: a.recordingId }))).toBe('notInSession');
		const bobRow = await repOf(w, bob);
		expect(await w.services.recordings.file(bobRow, a.recordingId, '01-screen-p1.webm').catch((e: { code: string }) => e.code)).toBe(
			'notInSession',
		);

		// Nobody signed in: nothing.
		const anonymous = await w.browser().api();
		expect(await refusalOf(anonymous.recordings.list({ sessionId: mine.id }))).toBe('notSignedIn');
		expect(await refusalOf(anonymous.recordings.timeline({ recordingId: a.recordingId }))).toBe('notSignedIn');
		expect(await refusalOf(anonymous.recordings.export({ recordingId: a.recordingId }))).toBe('notSignedIn');
		expect(await w.services.recordings.file(null, a.recordingId, 'export.webm').catch((e: { code: string }) => e.code)).toBe('notSignedIn');

		// Ana asks for Bob's recording: by itself, or as if it were of her session.
		const anaApi = await ana.api();
		expect(await refusalOf(anaApi.recordings.timeline({ recordingId: b.recordingId }))).toBe('notInSession');
		expect(await refusalOf(anaApi.recordings.timeline({ recordingId: b.recordingId, sessionId: mine.id }))).toBe('recordingNotFound');
		expect(await refusalOf(anaApi.recordings.export({ recordingId: b.recordingId, sessionId: mine.id }))).toBe('recordingNotFound');
		expect(await refusalOf(anaApi.recordings.timeline({ recordingId: `${mine.id}-999999` }))).toBe('recordingNotFound');
		expect(await refusalOf(anaApi.recordings.timeline({ recordingId: '../etc' }))).toBe('invalidInput');
		expect(await refusalOf(anaApi.recordings.list({ sessionId: 'nope' }))).toBe('invalidInput');

		// Files: only the manifest's tracks (and the export); no other names, no paths.
		const anaRow = await repOf(w, ana);
		const track = await w.services.recordings.file(anaRow, a.recordingId, '02-microphone-p2.webm');
		expect(track).toEqual({ path: join(dir, a.recordingId, '02-microphone-p2.webm'), contentType: 'audio/webm' });
		expect((await w.services.recordings.file(anaRow, a.recordingId, '01-screen-p1.webm')).contentType).toBe('video/webm');
		for (const name of ['manifest.json', '../manifest.json', `../${b.recordingId}/01-screen-p1.webm`, '01-screen-p1.sdp', '']) {
			expect(await w.services.recordings.file(anaRow, a.recordingId, name).catch((e: { code: string }) => e.code), name).toBe(
				'recordingNotFound',
			);
		}
		expect(await w.services.recordings.file(anaRow, `../${a.recordingId}`, 'export.webm').catch((e: { code: string }) => e.code)).toBe(
			'recordingNotFound',
		);

		// An administrator sees every session's recordings.
		const adminApi = await w.admin.api();
		expect((await adminApi.recordings.list({ sessionId: mine.id })).map((r) => r.recordingId)).toEqual([a.recordingId]);
		expect((await adminApi.recordings.timeline({ recordingId: b.recordingId })).control.map((c) => c.name)).toEqual(['Bob']);
	});
});
