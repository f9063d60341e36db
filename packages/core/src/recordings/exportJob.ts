// Export (SPEC §9): one composite WebM of a recording, made by ffmpeg as a background job. Video tracks
// are tiles of a grid on a black canvas, each placed at its offset from the recording's start; audio
// tracks are delayed to their offsets and mixed over silence; the result lasts as long as the recording.
// ffmpeg's `-progress pipe:1` says how far it is, against the recording's duration.

import { spawn, type ChildProcess } from 'node:child_process';
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { durationOf, EXPORT_FILE, recordingDir, spanOf, type RecordingManifest, type RecordingTrack } from './manifest.ts';

export type ExportState = 'idle' | 'running' | 'done' | 'failed';
export interface ExportStatus {
	state: ExportState;
	/** 0..1 */
	progress: number;
	error?: string;
}

export interface ExportLayout {
	width: number;
	height: number;
	fps: number;
}

const DEFAULT_LAYOUT: ExportLayout = { width: 1280, height: 720, fps: 15 };

const seconds = (s: number) => s.toFixed(3);
const even = (n: number) => Math.max(2, Math.floor(n / 2) * 2);

/**
 * Video tracks in tiles: a participant's screen (or camera) that stopped and started again keeps its
 * tile; tracks that overlap in time get tiles of their own. Screens come first.
 */
export function videoTiles(manifest: RecordingManifest, tracks: readonly RecordingTrack[]): RecordingTrack[][] {
	const videos = tracks
		.filter((t) => t.kind === 'video')
		.toSorted((a, b) => (a.source === b.source ? a.startedAt - b.startedAt : a.source === 'screen' ? -1 : 1));
	const tiles: { key: string; tracks: RecordingTrack[]; freeAt: number }[] = [];
	for (const track of videos) {
		const key = `${track.participantId}/${track.source}`;
		const { offset, duration } = spanOf(manifest, track);
		const tile = tiles.find((t) => t.key === key && t.freeAt <= offset);
		if (tile) {
			tile.tracks.push(track);
			tile.freeAt = offset + duration;
		} else tiles.push({ key, tracks: [track], freeAt: offset + duration });
	}
	return tiles.map((t) => t.tracks);
}

/** The ffmpeg arguments that compose `tracks` (files that exist) of a recording into `output`. */
export function exportArguments(
	manifest: RecordingManifest,
	tracks: readonly RecordingTrack[],
	dir: string,
	output: string,
	layout: ExportLayout = DEFAULT_LAYOUT,
): string[] {
	const duration = Math.max(0.1, durationOf(manifest));
	const inputs: string[] = [];
	const graph: string[] = [];
	let n = 0;
	const input = (track: RecordingTrack) => {
		inputs.push('-i', join(dir, track.file));
		return n++;
	};

	const tiles = videoTiles(manifest, tracks);
	const cols = Math.max(1, Math.ceil(Math.sqrt(tiles.length)));
	const rows = Math.max(1, Math.ceil(tiles.length / cols));
	const w = even(layout.width / cols);
	const h = even(layout.height / rows);
	graph.push(`color=c=black:s=${layout.width}x${layout.height}:r=${layout.fps}:d=${seconds(duration)}[base0]`);
	let base = 0;
	tiles.forEach((tile, i) => {
		const x = (i % cols) * w + Math.floor((layout.width - cols * w) / 2);
		const y = Math.floor(i / cols) * h + Math.floor((layout.height - rows * h) / 2);
		for (const track of tile) {
			const k = input(track);
			const { offset } = spanOf(manifest, track);
			graph.push(
				`[${k}:v:0]setpts=PTS-STARTPTS+${seconds(offset)}/TB,` +
					`scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1[v${k}]`,
			);
			graph.push(`[base${base}][v${k}]overlay=x=${x}:y=${y}:eof_action=pass[base${base + 1}]`);
			base++;
		}
	});
	graph.push(`[base${base}]format=yuv420p[vout]`);

	const audio = tracks.filter((t) => t.kind === 'audio');
	graph.push(`anullsrc=r=48000:cl=stereo,atrim=end=${seconds(duration)}[silence]`);
	const mixed = ['[silence]'];
	for (const track of audio) {
		const k = input(track);
		const delayMs = Math.round(spanOf(manifest, track).offset * 1000);
		graph.push(
			`[${k}:a:0]asetpts=PTS-STARTPTS,aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,adelay=${delayMs}:all=1[a${k}]`,
		);
		mixed.push(`[a${k}]`);
	}
	graph.push(
		mixed.length === 1
			? `[silence]anull[aout]`
			: `${mixed.join('')}amix=inputs=${mixed.length}:duration=first:dropout_transition=0:normalize=0[aout]`,
	);

	return [
		'-hide_banner',
		'-nostdin',
		'-nostats',
		'-loglevel',
		'error',
		'-progress',
		'pipe:1',
		...inputs,
		'-filter_complex',
		graph.join(';'),
		'-map',
		'[vout]',
		'-map',
		'[aout]',
		'-t',
		seconds(duration),
		'-c:v',
		'libvpx',
		'-deadline',
		'realtime',
		'-cpu-used',
		'8',
		'-b:v',
		'1500k',
		'-threads',
		'2',
		'-c:a',
		'libopus',
		'-b:a',
		'96k',
		'-f',
		'webm',
		'-y',
		output,
	];
}

/** `out_time_us=…` lines of `-progress` as a share of `durationSeconds`. */
export function progressFrom(line: string, durationSeconds: number): number | null {
	const match = /^out_time_(?:us|ms)=(\d+)$/.exec(line.trim());
	if (!match || durationSeconds <= 0) return null;
	return Math.min(1, Math.max(0, Number(match[1]) / 1e6 / durationSeconds));
}

interface Job {
	status: ExportStatus;
	child?: ChildProcess;
	done: Promise<void>;
}

const STDERR_TAIL = 1500;

/**
 * The export jobs of this node: one per recording at a time (asking again while one runs, or after it
 * is done, changes nothing), and at most `concurrency` ffmpeg processes at once; the rest wait their
 * turn as 'running' at 0. A finished export is `export.webm` beside the tracks (written under another
 * name and renamed, so a half-made file is never served); after a restart, that file says 'done'.
 */
export class RecordingExports {
	readonly #jobs = new Map<string, Job>();
	readonly #recordingsDir: string;
	readonly #ffmpeg: string;
	readonly #concurrency: number;
	#running = 0;
	readonly #waiting: (() => void)[] = [];
	#closed = false;

	constructor(options: { recordingsDir: string; ffmpegPath?: string; concurrency?: number }) {
		this.#recordingsDir = options.recordingsDir;
		this.#ffmpeg = options.ffmpegPath ?? 'ffmpeg';
		this.#concurrency = options.concurrency ?? 1;
	}

	async status(recordingId: string): Promise<ExportStatus> {
		const job = this.#jobs.get(recordingId);
		if (job) return { ...job.status };
		return (await this.#exported(recordingId)) ? { state: 'done', progress: 1 } : { state: 'idle', progress: 0 };
	}

	/** Starts the export unless it runs or is done; returns its status. */
	async start(manifest: RecordingManifest, tracks: readonly RecordingTrack[]): Promise<ExportStatus> {
		const id = manifest.recordingId;
		const current = this.#jobs.get(id);
		if (current && current.status.state !== 'failed') return { ...current.status };
		// Taken at once (no await before), so two calls at the same moment start one job.
		const job: Job = { status: { state: 'running', progress: 0 }, done: Promise.resolve() };
		this.#jobs.set(id, job);
		job.done = (async () => {
			if (!current && (await this.#exported(id))) {
				job.status = { state: 'done', progress: 1 };
				return;
			}
			await this.#run(job, manifest, tracks);
		})().catch((error: unknown) => {
			job.status = { state: 'failed', progress: job.status.progress, error: error instanceof Error ? error.message : String(error) };
		});
		return { ...job.status };
	}

	/** Waits for a recording's export to finish (tests). */
	async finished(recordingId: string): Promise<ExportStatus> {
		await this.#jobs.get(recordingId)?.done;
		return this.status(recordingId);
	}

	close(): void {
		this.#closed = true;
		for (const job of this.#jobs.values()) job.child?.kill('SIGKILL');
		for (const wake of this.#waiting.splice(0)) wake();
	}

	async #exported(recordingId: string): Promise<boolean> {
		return stat(join(recordingDir(this.#recordingsDir, recordingId), EXPORT_FILE)).then(
			(s) => s.isFile() && s.size > 0,
			() => false,
		);
	}

	async #run(job: Job, manifest: RecordingManifest, tracks: readonly RecordingTrack[]): Promise<void> {
		if (this.#running >= this.#concurrency) await new Promise<void>((wake) => this.#waiting.push(wake));
		this.#running++;
		try {
			if (this.#closed) throw new Error('the server is stopping');
			const dir = recordingDir(this.#recordingsDir, manifest.recordingId);
			const partial = join(dir, `${EXPORT_FILE}.part`);
			const duration = durationOf(manifest);
			const child = spawn(this.#ffmpeg, exportArguments(manifest, tracks, dir, partial), { stdio: ['ignore', 'pipe', 'pipe'] });
			job.child = child;
			let stderr = '';
			let pending = '';
			child.stdout!.setEncoding('utf8');
			child.stdout!.on('data', (chunk: string) => {
				pending += chunk;
				const lines = pending.split('\n');
				pending = lines.pop() ?? '';
				for (const line of lines) {
					const progress = progressFrom(line, duration);
					if (progress !== null) job.status.progress = Math.max(job.status.progress, Math.min(progress, 0.99));
				}
			});
			child.stderr!.setEncoding('utf8');
			child.stderr!.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-STDERR_TAIL)));
			const code = await new Promise<number | null>((resolve) => {
				child.once('error', (error) => {
					stderr += error.message;
					resolve(null);
				});
				child.once('close', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 : null)));
			});
			job.child = undefined;
			if (code !== 0) {
				await rm(partial, { force: true });
				throw new Error(`ffmpeg exited with code ${code}: ${stderr.trim() || 'no output'}`);
			}
			await rename(partial, join(dir, EXPORT_FILE));
			job.status.progress = 1;
			job.status.state = 'done';
		} finally {
			this.#running--;
			this.#waiting.shift()?.();
		}
	}
}
