/** A real SFU (control API + mediasoup worker) in this process, and small helpers to drive it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readSfuConfig, type SfuConfig } from '../src/config.ts';
import type { SfuEvent } from '@tandem/sfu-contract';
import { startSfu, type RunningSfu } from '../src/sfu.ts';

process.env.TANDEM_SFU_LOG ??= 'warn';

export const SECRET = 'test-secret-0123456789';

export type TestSfu = RunningSfu & {
	recordingsDir: string;
	call: <T = unknown>(method: string, urlPath: string, body?: unknown) => Promise<T>;
	raw: (method: string, urlPath: string, init?: { body?: string; secret?: string | null }) => Promise<{ status: number; body: any }>;
	events: EventLog;
	stop: () => Promise<void>;
};

/** Ports apart from a dev SFU's defaults (40000–41999), so tests can run beside one. */
export async function startTestSfu(overrides: Partial<SfuConfig> = {}): Promise<TestSfu> {
	const recordingsDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-sfu-rec-'));
	const config: SfuConfig = {
		...readSfuConfig({
			TANDEM_SFU_SECRET: SECRET,
			TANDEM_SFU_PORT: '0',
			TANDEM_SFU_WORKERS: '1',
			TANDEM_SFU_RTC_MIN_PORT: '42000',
			TANDEM_SFU_RTC_MAX_PORT: '42499',
			TANDEM_SFU_RECORDING_MIN_PORT: '42500',
			TANDEM_SFU_RECORDING_MAX_PORT: '42999',
			TANDEM_RECORDINGS_DIR: recordingsDir,
			// A browser that never reaches a transport is told of within a second here (10 s by default).
			TANDEM_SFU_UNREACHABLE_MS: '1000',
		}),
		...overrides,
	};
	const sfu = await startSfu(config);
	const raw: TestSfu['raw'] = async (method, urlPath, init = {}) => {
		const headers: Record<string, string> = { 'content-type': 'application/json' };
		if (init.secret !== null) headers['x-tandem-sfu-secret'] = init.secret ?? SECRET;
		const response = await fetch(sfu.url + urlPath, { method, headers, ...(init.body === undefined ? {} : { body: init.body }) });
		return { status: response.status, body: await response.json() };
	};
	const call: TestSfu['call'] = async (method, urlPath, body) => {
		const { status, body: json } = await raw(method, urlPath, body === undefined ? {} : { body: JSON.stringify(body) });
		if (status !== 200) throw new Error(`${method} ${urlPath} -> ${status} ${JSON.stringify(json)}`);
		return json;
	};
	const events = await EventLog.open(sfu.url);
	return {
		...sfu,
		recordingsDir,
		call,
		raw,
		events,
		stop: async () => {
			events.close();
			await sfu.close();
			await rm(recordingsDir, { recursive: true, force: true });
		},
	};
}

/** Reads `GET /events` (SSE) into a list; `next()` waits for a matching event. */
export class EventLog {
	readonly received: SfuEvent[] = [];
	readonly #abort = new AbortController();
	readonly #waiters = new Set<() => void>();

	static async open(url: string): Promise<EventLog> {
		const log = new EventLog();
		const response = await fetch(`${url}/events`, { headers: { 'x-tandem-sfu-secret': SECRET }, signal: log.#abort.signal });
		if (!response.ok || !response.body) throw new Error(`GET /events -> ${response.status}`);
		void log.#read(response.body);
		await log.next((e) => e.type === 'hello', 5000);
		return log;
	}

	async #read(body: ReadableStream<Uint8Array>): Promise<void> {
		const decoder = new TextDecoder();
		let buffer = '';
		try {
			for await (const chunk of body) {
				buffer += decoder.decode(chunk, { stream: true });
				let end: number;
				while ((end = buffer.indexOf('\n\n')) >= 0) {
					const block = buffer.slice(0, end);
					buffer = buffer.slice(end + 2);
					const data = block.split('\n').find((line) => line.startsWith('data: '));
					if (data) this.received.push(JSON.parse(data.slice(6)) as SfuEvent);
					for (const wake of this.#waiters) wake();
				}
			}
		} catch {
			// aborted
		}
	}

	next<T extends SfuEvent>(match: (event: SfuEvent) => event is T, timeoutMs?: number): Promise<T>;
	next(match: (event: SfuEvent) => boolean, timeoutMs?: number): Promise<SfuEvent>;
	next(match: (event: SfuEvent) => boolean, timeoutMs = 10_000): Promise<SfuEvent> {
		return new Promise((resolve, reject) => {
			const check = () => {
				const found = this.received.find(match);
				if (!found) return false;
				cleanup();
				resolve(found);
				return true;
			};
			const timer = setTimeout(() => {
				cleanup();
				reject(new Error(`no matching SFU event within ${timeoutMs} ms; got ${JSON.stringify(this.received)}`));
			}, timeoutMs);
			const wake = () => void check();
			const cleanup = () => {
				clearTimeout(timer);
				this.#waiters.delete(wake);
			};
			this.#waiters.add(wake);
			check();
		});
	}

	close(): void {
		this.#abort.abort();
	}
}

/** Every child a test starts, so afterAll can be sure none is left running. */
const children = new Set<ChildProcess>();

export function startFfmpeg(args: string[]): ChildProcess {
	const child = spawn('ffmpeg', ['-hide_banner', '-nostats', '-loglevel', 'error', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
	let stderr = '';
	child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
	child.once('exit', (code, signal) => {
		children.delete(child);
		if (code && !signal) process.stderr.write(`test ffmpeg exited ${code}: ${stderr}\n`);
	});
	children.add(child);
	return child;
}

export async function stopChildren(): Promise<void> {
	await Promise.all(
		[...children].map(
			(child) =>
				new Promise<void>((resolve) => {
					if (child.exitCode !== null || child.signalCode !== null) return resolve();
					child.once('exit', () => resolve());
					child.kill('SIGKILL');
				}),
		),
	);
}

/** Names of this process's live child processes (from /proc), to check nothing leaked. */
export async function childProcessNames(): Promise<string[]> {
	const { readdir, readFile } = await import('node:fs/promises');
	const names: string[] = [];
	for (const entry of await readdir('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
		const match = /^\d+ \((.*)\) (\S) (\d+)/.exec(stat);
		if (match && Number(match[3]) === process.pid && match[2] !== 'Z') names.push(match[1]!);
	}
	return names;
}

/**
 * Test media encoded once (and kept in the temp folder between runs): 20 s of a VP8 test pattern
 * (640x360, 15 fps, a key frame every `gop` frames) and of an Opus tone. Sending them with `-c copy`
 * costs ffmpeg almost nothing, so `-re` keeps real time even on a busy machine, and RTP timestamps
 * follow the wall clock as a browser's do.
 */
export async function testMedia(): Promise<{ video: string; audio: string }> {
	const { mkdir, stat: statFile, rename } = await import('node:fs/promises');
	const dir = path.join(os.tmpdir(), 'tandem-sfu-test-media-v2');
	await mkdir(dir, { recursive: true });
	const encode = async (file: string, args: string[]) => {
		const target = path.join(dir, file);
		if (
			await statFile(target).then(
				(s) => s.size > 0,
				() => false,
			)
		)
			return target;
		const partial = `${target}.${process.pid}.part.webm`;
		const ffmpeg = startFfmpeg([...args, '-t', '20', '-f', 'webm', '-y', partial]);
		const code = await new Promise<number | null>((resolve) => ffmpeg.once('exit', resolve));
		if (code !== 0) throw new Error(`could not encode test media ${file} (ffmpeg exit ${code})`);
		await rename(partial, target);
		return target;
	};
	const [video, audio] = await Promise.all([
		encode('testsrc-vp8.webm', [
			'-f',
			'lavfi',
			'-i',
			'testsrc=size=640x360:rate=15',
			'-c:v',
			'libvpx',
			'-deadline',
			'realtime',
			'-cpu-used',
			'16',
			'-b:v',
			'300k',
			'-g',
			'8',
		]),
		encode('sine-opus.webm', [
			'-f',
			'lavfi',
			'-i',
			'sine=frequency=440:sample_rate=48000',
			'-c:a',
			'libopus',
			'-ac',
			'2',
			'-ar',
			'48000',
			'-b:a',
			'48k',
		]),
	]);
	return { video, audio };
}

/** ffmpeg sending the test pattern as VP8 RTP (as is, in real time) to `target`. */
export async function sendTestVideo(
	target: { ip: string; port: number; rtcpPort?: number | undefined },
	rtp: { payloadType: number; ssrc: number },
): Promise<ChildProcess> {
	const { video } = await testMedia();
	const rtcp = target.rtcpPort === undefined ? '' : `rtcpport=${target.rtcpPort}&`;
	return startFfmpeg([
		'-re',
		'-i',
		video,
		'-map',
		'0:v',
		'-c',
		'copy',
		'-payload_type',
		String(rtp.payloadType),
		'-ssrc',
		String(rtp.ssrc),
		'-f',
		'rtp',
		`rtp://${target.ip}:${target.port}?${rtcp}pkt_size=1200`,
	]);
}

/** ffmpeg sending the tone as Opus RTP. */
export async function sendTestAudio(
	target: { ip: string; port: number; rtcpPort?: number | undefined },
	rtp: { payloadType: number; ssrc: number },
): Promise<ChildProcess> {
	const { audio } = await testMedia();
	const rtcp = target.rtcpPort === undefined ? '' : `rtcpport=${target.rtcpPort}&`;
	return startFfmpeg([
		'-re',
		'-i',
		audio,
		'-map',
		'0:a',
		'-c',
		'copy',
		'-payload_type',
		String(rtp.payloadType),
		'-ssrc',
		String(rtp.ssrc),
		'-f',
		'rtp',
		`rtp://${target.ip}:${target.port}?${rtcp}pkt_size=1200`,
	]);
}

export const vp8RtpParameters = (payloadType: number, ssrc: number) => ({
	codecs: [{ mimeType: 'video/VP8', payloadType, clockRate: 90000 }],
	encodings: [{ ssrc }],
});
export const opusRtpParameters = (payloadType: number, ssrc: number) => ({
	codecs: [{ mimeType: 'audio/opus', payloadType, clockRate: 48000, channels: 2 }],
	encodings: [{ ssrc }],
});

export async function waitFor<T>(
	probe: () => Promise<T | undefined | false> | T | undefined | false,
	timeoutMs = 10_000,
	what = 'condition',
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}
