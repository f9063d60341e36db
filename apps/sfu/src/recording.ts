import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { types as ms } from 'mediasoup';
import { log } from './log.ts';
import type { RecordingManifest, RecordingStatus, RecordingTrack, SfuEvent } from '@tandem/sfu-contract';
import type { ProducerEntry } from './producerEntry.ts';
import { waitForUdpListener, type UdpPortPair, type UdpPortPairs } from './udpPorts.ts';

export type RecordingDeps = {
	sessionId: string;
	recordingId: string;
	router: ms.Router;
	/** `<recordingsDir>/<recordingId>/` — one WebM per track and `manifest.json`. */
	dir: string;
	ffmpegPath: string;
	ports: UdpPortPairs;
	publish: (event: SfuEvent) => void;
};

type TrackRecorder = {
	track: RecordingTrack;
	producerId: string;
	transport: ms.PlainTransport | undefined;
	consumer: ms.Consumer | undefined;
	ffmpeg: ChildProcess | undefined;
	ports: UdpPortPair | undefined;
	sdpFile: string;
	stderrTail: string;
	/** Set when we ask ffmpeg to stop; an exit without it is a failure. */
	stopping: boolean;
	exited: Promise<number | null>;
	finished: Promise<void> | undefined;
};

const STDERR_TAIL = 2000;

/**
 * The recording of one session: for each producer alive while it runs, a PlainTransport consumer sends
 * RTP to an `ffmpeg -c copy` child that writes one WebM (VP8 or Opus, no transcoding). Producers that
 * start later join; producers that close end their file. `manifest.json` says when each file starts
 * and ends (ms epoch), whose and which source it is.
 */
export class SessionRecording {
	readonly recordingId: string;
	readonly #deps: RecordingDeps;
	readonly #tracks = new Map<string, TrackRecorder>();
	readonly #starting = new Set<Promise<void>>();
	readonly #manifest: RecordingManifest;
	#manifestWrite: Promise<void> = Promise.resolve();
	#stopped = false;
	#stopping: Promise<RecordingManifest> | undefined;
	#fileCount = 0;

	constructor(deps: RecordingDeps) {
		this.#deps = deps;
		this.recordingId = deps.recordingId;
		this.#manifest = {
			recordingId: deps.recordingId,
			sessionId: deps.sessionId,
			startedAt: Date.now(),
			endedAt: null,
			status: 'recording',
			tracks: [],
		};
	}

	get stopped(): boolean {
		return this.#stopped;
	}
	get manifest(): RecordingManifest {
		return structuredClone(this.#manifest);
	}
	get activeTracks(): number {
		return [...this.#tracks.values()].filter((t) => t.track.status === 'recording').length;
	}

	/** Records every producer given (the folder exists already: MediaServer made it, refusing one in use). */
	async start(producers: Iterable<ProducerEntry>): Promise<RecordingManifest> {
		this.#saveManifest();
		for (const producer of producers) this.addTrack(producer);
		await Promise.all(this.#starting);
		await this.#manifestWrite;
		return this.manifest;
	}

	addTrack(producer: ProducerEntry): void {
		if (this.#stopped || this.#tracks.has(producer.producer.id) || producer.producer.closed) return;
		const n = ++this.#fileCount;
		const base = `${String(n).padStart(2, '0')}-${producer.source}-${producer.producer.id}`;
		const codec = producer.producer.rtpParameters.codecs[0]?.mimeType ?? 'unknown';
		const recorder: TrackRecorder = {
			track: {
				file: `${base}.webm`,
				producerId: producer.producer.id,
				participantId: producer.participantId,
				source: producer.source,
				kind: producer.kind,
				codec,
				startedAt: Date.now(),
				endedAt: null,
				status: 'recording',
			},
			producerId: producer.producer.id,
			transport: undefined,
			consumer: undefined,
			ffmpeg: undefined,
			ports: undefined,
			sdpFile: path.join(this.#deps.dir, `${base}.sdp`),
			stderrTail: '',
			stopping: false,
			exited: Promise.resolve(null),
			finished: undefined,
		};
		this.#tracks.set(producer.producer.id, recorder);
		const starting = this.#startTrack(recorder).catch((error: unknown) => {
			const reason = error instanceof Error ? error.message : String(error);
			if (producer.producer.closed) {
				// The producer ended while we were setting up: nothing was recorded, nothing failed.
				this.#tracks.delete(recorder.producerId);
				void this.#cleanUp(recorder);
				return;
			}
			this.#fail(recorder, `could not start recording the track: ${reason}`);
		});
		this.#starting.add(starting);
		void starting.finally(() => this.#starting.delete(starting));
	}

	/** Stops every ffmpeg cleanly ('q', then SIGINT), writes the manifest and returns it. */
	stop(): Promise<RecordingManifest> {
		this.#stopping ??= this.#stop();
		return this.#stopping;
	}

	/** The router is gone (worker died): end every file with what it has and mark the recording failed. */
	abort(reason: string): void {
		if (this.#stopped) return;
		this.#markFailed(reason);
		void this.stop();
	}

	async #stop(): Promise<RecordingManifest> {
		this.#stopped = true;
		await Promise.all(this.#starting);
		await Promise.all([...this.#tracks.values()].map((t) => this.#finishTrack(t)));
		this.#manifest.endedAt = Date.now();
		if (this.#manifest.status === 'recording') this.#manifest.status = 'completed';
		this.#saveManifest();
		await this.#manifestWrite;
		log.info('recording stopped', { sessionId: this.#deps.sessionId, recordingId: this.recordingId, status: this.#manifest.status });
		return this.manifest;
	}

	async #startTrack(recorder: TrackRecorder): Promise<void> {
		const { router, ports, ffmpegPath } = this.#deps;
		recorder.ports = await ports.reserve();
		const transport = await router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
			rtcpMux: false,
			comedia: false,
		});
		recorder.transport = transport;
		await transport.connect({ ip: '127.0.0.1', port: recorder.ports.rtp, rtcpPort: recorder.ports.rtcp });
		const consumer = await transport.consume({
			producerId: recorder.producerId,
			rtpCapabilities: recordingCapabilities(router),
			paused: true,
		});
		recorder.consumer = consumer;
		consumer.on('producerclose', () => void this.#finishTrack(recorder));
		consumer.on('transportclose', () => void this.#finishTrack(recorder));
		await writeFile(recorder.sdpFile, sdpFor(consumer, recorder.ports));
		if (recorder.stopping) throw new Error('the track ended while its recording was starting');

		const ffmpeg = spawn(
			ffmpegPath,
			[
				'-hide_banner',
				'-nostats',
				'-loglevel',
				'warning',
				'-protocol_whitelist',
				'file,udp,rtp',
				'-fflags',
				'+genpts',
				'-i',
				recorder.sdpFile,
				'-map',
				'0',
				'-c',
				'copy',
				'-f',
				'webm',
				'-y',
				path.join(this.#deps.dir, recorder.track.file),
			],
			{ stdio: ['pipe', 'ignore', 'pipe'] },
		);
		recorder.ffmpeg = ffmpeg;
		recorder.exited = new Promise((resolve) => {
			ffmpeg.once('error', (error) => {
				recorder.stderrTail += `\n${error.message}`;
				resolve(null);
			});
			ffmpeg.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)));
		});
		ffmpeg.stdin?.on('error', () => {}); // EPIPE once it has quit
		ffmpeg.stderr?.setEncoding('utf8');
		ffmpeg.stderr?.on('data', (chunk: string) => {
			recorder.stderrTail = (recorder.stderrTail + chunk).slice(-STDERR_TAIL);
		});
		void recorder.exited.then((code) => {
			if (!recorder.stopping) this.#fail(recorder, `ffmpeg exited early (code ${code}): ${recorder.stderrTail.trim() || 'no output'}`);
		});

		// Send only once ffmpeg listens, or the first key frame is lost; then ask for key frames at once.
		const listening = await Promise.race([waitForUdpListener(recorder.ports.rtp, 5000), recorder.exited.then(() => false)]);
		if (recorder.stopping || consumer.closed) return;
		if (!listening) log.warn('ffmpeg did not bind its RTP port in time; sending anyway', { port: recorder.ports.rtp });
		// The file starts with the first packet forwarded (for video, mediasoup forwards from a key frame on):
		// note when that leaves, so the manifest's start matches the file's first frame.
		let firstMediaSeen = false;
		consumer.on('trace', (trace) => {
			if (firstMediaSeen || trace.direction !== 'out') return;
			firstMediaSeen = true;
			if (recorder.track.status === 'recording') recorder.track.startedAt = Date.now();
			void consumer.enableTraceEvent([]).catch(() => {});
			this.#saveManifest();
		});
		await consumer.enableTraceEvent([consumer.kind === 'video' ? 'keyframe' : 'rtp']);
		await consumer.resume();
		recorder.track.startedAt = Date.now();
		if (consumer.kind === 'video') {
			await consumer.requestKeyFrame();
			setTimeout(() => void (consumer.closed ? undefined : consumer.requestKeyFrame().catch(() => {})), 1000).unref();
		}
		this.#manifest.tracks.push(recorder.track);
		this.#saveManifest();
		log.info('recording track', { recordingId: this.recordingId, producerId: recorder.producerId, file: recorder.track.file });
	}

	/** Ends one track: ffmpeg is asked to finish its file, then the consumer and its transport close. */
	#finishTrack(recorder: TrackRecorder): Promise<void> {
		recorder.finished ??= (async () => {
			if (recorder.track.status === 'recording') recorder.track.endedAt = Date.now();
			recorder.stopping = true;
			const bytesSent = await sentBytes(recorder.consumer);
			const ffmpeg = recorder.ffmpeg;
			if (ffmpeg && ffmpeg.exitCode === null && ffmpeg.signalCode === null) {
				// 'q' stops ffmpeg only while packets arrive (it reads the keyboard between packets); an RTCP BYE on
				// its RTCP port ends the input (EOF) even when none do. Either way it writes the WebM's cues and
				// duration. SIGINT is the fallback (once reading, one SIGINT is honoured only after the next packet).
				ffmpeg.stdin?.end('q');
				if (recorder.ports) await sendRtcpBye(recorder.ports.rtcp, recorder.consumer?.rtpParameters.encodings?.[0]?.ssrc ?? 0);
				if ((await within(recorder.exited, 3000)) === timedOut) ffmpeg.kill('SIGINT');
				if ((await within(recorder.exited, 3000)) === timedOut) {
					ffmpeg.kill('SIGKILL');
					await recorder.exited;
					if (recorder.track.status === 'recording') this.#fail(recorder, 'ffmpeg did not stop within 6 s and was killed');
				}
			}
			await this.#cleanUp(recorder);
			if (recorder.track.status === 'recording') {
				const size = await stat(path.join(this.#deps.dir, recorder.track.file)).then(
					(s) => s.size,
					() => 0,
				);
				if (size > 0) recorder.track.status = 'completed';
				else if (bytesSent === 0) {
					// A producer paused all along (a muted microphone) sent nothing: no file, no entry, no failure.
					this.#manifest.tracks = this.#manifest.tracks.filter((t) => t !== recorder.track);
					log.info('recording track had no media', { recordingId: this.recordingId, producerId: recorder.producerId });
				} else this.#fail(recorder, `no media was written${recorder.stderrTail.trim() ? `: ${recorder.stderrTail.trim()}` : ''}`);
			}
			this.#saveManifest();
		})();
		return recorder.finished;
	}

	async #cleanUp(recorder: TrackRecorder): Promise<void> {
		recorder.consumer?.close();
		recorder.transport?.close();
		if (recorder.ports) this.#deps.ports.release(recorder.ports);
		recorder.ports = undefined;
		await rm(recorder.sdpFile, { force: true });
	}

	#fail(recorder: TrackRecorder, reason: string): void {
		if (recorder.track.status !== 'recording') return;
		recorder.track.status = 'failed';
		recorder.track.failureReason = reason;
		recorder.track.endedAt ??= Date.now();
		if (!this.#manifest.tracks.includes(recorder.track)) this.#manifest.tracks.push(recorder.track);
		log.warn('recording track failed', { recordingId: this.recordingId, producerId: recorder.producerId, reason });
		this.#markFailed(reason, recorder.producerId);
		void this.#finishTrack(recorder);
	}

	#markFailed(reason: string, producerId?: string): void {
		if (this.#manifest.status !== 'failed') {
			this.#manifest.status = 'failed' satisfies RecordingStatus;
			this.#manifest.failureReason = reason;
		}
		this.#deps.publish({
			type: 'recording.failed',
			sessionId: this.#deps.sessionId,
			recordingId: this.recordingId,
			reason,
			...(producerId ? { producerId } : {}),
		});
		this.#saveManifest();
	}

	/** Writes are queued and atomic (temp file + rename), so readers never see half a manifest. */
	#saveManifest(): void {
		const json = JSON.stringify(this.#manifest, null, 2);
		const file = path.join(this.#deps.dir, 'manifest.json');
		this.#manifestWrite = this.#manifestWrite
			.then(async () => {
				await writeFile(`${file}.tmp`, json);
				await rename(`${file}.tmp`, file);
			})
			.catch((error: unknown) => log.error('could not write the recording manifest', { file, error: String(error) }));
	}
}

/**
 * RTCP BYE (RFC 3550 §6.6) from a throwaway socket: ffmpeg's RTP demuxer treats it as the end of the
 * stream. It ignores packets under 12 bytes, so the BYE carries a 3-letter reason.
 */
async function sendRtcpBye(port: number, ssrc: number): Promise<void> {
	const bye = Buffer.alloc(12);
	bye.writeUInt8(0x81, 0); // V=2, one SSRC
	bye.writeUInt8(203, 1); // BYE
	bye.writeUInt16BE(2, 2); // length in 32-bit words minus one
	bye.writeUInt32BE(ssrc >>> 0, 4);
	bye.writeUInt8(3, 8); // reason: "end"
	bye.write('end', 9, 'ascii');
	const socket = dgram.createSocket('udp4');
	try {
		await new Promise<void>((resolve) => socket.send(bye, port, '127.0.0.1', () => resolve()));
	} finally {
		socket.close();
	}
}

async function sentBytes(consumer: ms.Consumer | undefined): Promise<number> {
	if (!consumer || consumer.closed) return 0;
	const stats = await consumer.getStats().catch(() => []);
	return stats.reduce((sum, s) => sum + (s.type === 'outbound-rtp' ? s.byteCount : 0), 0);
}

const timedOut = Symbol('timed out');
async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof timedOut> {
	const timer = new AbortController();
	try {
		return await Promise.race([promise, sleep(ms, timedOut, { signal: timer.signal })]);
	} finally {
		timer.abort();
	}
}

/** The router's codecs without RTX and without header extensions: plain RTP that ffmpeg understands. */
function recordingCapabilities(router: ms.Router): ms.RtpCapabilities {
	return { codecs: (router.rtpCapabilities.codecs ?? []).filter((c) => !c.mimeType.toLowerCase().endsWith('/rtx')), headerExtensions: [] };
}

/** The SDP ffmpeg reads: one m= line for the consumer's codec, RTP on `ports.rtp`, RTCP on `ports.rtcp`. */
export function sdpFor(consumer: ms.Consumer, ports: UdpPortPair): string {
	const codec = consumer.rtpParameters.codecs[0];
	if (!codec) throw new Error('the consumer has no codec');
	const [, name] = codec.mimeType.split('/');
	const rtpmap = consumer.kind === 'audio' ? `${name}/${codec.clockRate}/${codec.channels ?? 2}` : `${name}/${codec.clockRate}`;
	const lines = [
		'v=0',
		'o=- 0 0 IN IP4 127.0.0.1',
		's=Tandem recording',
		'c=IN IP4 127.0.0.1',
		't=0 0',
		`m=${consumer.kind} ${ports.rtp} RTP/AVP ${codec.payloadType}`,
		`a=rtcp:${ports.rtcp}`,
		`a=rtpmap:${codec.payloadType} ${rtpmap}`,
	];
	const fmtp = Object.entries(codec.parameters ?? {})
		.map(([k, v]) => `${k}=${v}`)
		.join(';');
	if (fmtp) lines.push(`a=fmtp:${codec.payloadType} ${fmtp}`);
	lines.push('a=recvonly');
	return lines.join('\r\n') + '\r\n';
}
