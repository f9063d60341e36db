import { mkdir, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { types as ms } from 'mediasoup';
import type { SfuConfig } from './config.ts';
import { SfuError, notFound } from './errors.ts';
import { SfuEventHub } from './events.ts';
import { log } from './log.ts';
import type { RecordingManifest, SfuStats } from '@tandem/sfu-contract';
import { SessionRecording } from './recording.ts';
import { SessionMedia, mediaCodecs } from './sessionMedia.ts';
import { UdpPortPairs } from './udpPorts.ts';
import { WorkerPool } from './workers.ts';

/** All support sessions' media on this SFU: which session has which router, on which worker. */
export class MediaServer {
	readonly events = new SfuEventHub();
	readonly #config: SfuConfig;
	readonly #pool: WorkerPool;
	readonly #recordingPorts: UdpPortPairs;
	readonly #sessions = new Map<string, SessionMedia>();
	readonly #opening = new Map<string, Promise<SessionMedia>>();

	constructor(config: SfuConfig) {
		this.#config = config;
		this.#pool = new WorkerPool(config.workers, (worker, reason) => this.#workerDied(worker, reason));
		this.#recordingPorts = new UdpPortPairs(config.recordingMinPort, config.recordingMaxPort);
	}

	async start(): Promise<void> {
		await this.#pool.start();
	}

	get workers(): ms.Worker[] {
		return this.#pool.workers;
	}

	/** Idempotent: a second call (even a concurrent one) gets the same session. */
	openSession(sessionId: string): Promise<SessionMedia> {
		const existing = this.#sessions.get(sessionId);
		if (existing && !existing.closed) return Promise.resolve(existing);
		let opening = this.#opening.get(sessionId);
		if (!opening) {
			opening = this.#createSession(sessionId).finally(() => this.#opening.delete(sessionId));
			this.#opening.set(sessionId, opening);
		}
		return opening;
	}

	session(sessionId: string): SessionMedia {
		const session = this.#sessions.get(sessionId);
		if (!session || session.closed) throw notFound('session', sessionId);
		return session;
	}

	/** Closes all of a session's media (stopping its recording cleanly). Unknown sessions are fine. */
	async closeSession(sessionId: string): Promise<RecordingManifest | null> {
		const session = this.#sessions.get(sessionId) ?? (await this.#opening.get(sessionId)?.catch(() => undefined));
		if (!session) return null;
		this.#sessions.delete(sessionId);
		const manifest = await session.close();
		log.info('session closed', { sessionId });
		return manifest;
	}

	/** Makes `<recordingsDir>/<recordingId>/` (refusing one that exists: ids are not reused) and starts recording. */
	async startRecording(sessionId: string, recordingId: string): Promise<RecordingManifest> {
		const session = this.session(sessionId);
		if (session.recording && !session.recording.stopped)
			throw new SfuError(409, 'conflict', `session ${sessionId} is already recording (${session.recording.recordingId})`);
		const dir = path.join(this.#config.recordingsDir, recordingId);
		await mkdir(this.#config.recordingsDir, { recursive: true });
		try {
			await mkdir(dir);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'EEXIST')
				throw new SfuError(409, 'conflict', `recording ${recordingId} exists already; use a new recording id`);
			throw error;
		}
		let recording: SessionRecording;
		try {
			recording = session.startRecording(recordingId);
		} catch (error) {
			await rmdir(dir).catch(() => undefined);
			throw error;
		}
		try {
			return await recording.start(session.producers.values());
		} catch (error) {
			await recording.stop().catch(() => undefined);
			throw error;
		}
	}

	async stats(): Promise<SfuStats> {
		const totals = { participants: 0, transports: 0, producers: 0, consumers: 0, recordings: 0 };
		for (const session of this.#sessions.values()) {
			const counts = session.counts();
			totals.participants += counts.participants;
			totals.transports += counts.transports;
			totals.producers += counts.producers;
			totals.consumers += counts.consumers;
			if (session.recording && !session.recording.stopped) totals.recordings++;
		}
		return { workers: await this.#pool.stats(), sessions: this.#sessions.size, ...totals };
	}

	/** Stops recordings cleanly, then closes the workers. */
	async close(): Promise<void> {
		await Promise.all([...this.#sessions.keys()].map((id) => this.closeSession(id).catch(() => undefined)));
		await this.#pool.close();
	}

	async #createSession(sessionId: string): Promise<SessionMedia> {
		const router = await this.#pool.createRouter(mediaCodecs, { sessionId });
		const session = new SessionMedia({
			sessionId,
			router,
			transportSettings: {
				listenIp: this.#config.listenIp,
				announcedIp: this.#config.announcedIp,
				rtcMinPort: this.#config.rtcMinPort,
				rtcMaxPort: this.#config.rtcMaxPort,
				unreachableAfterMs: this.#config.unreachableAfterMs,
			},
			publish: (event) => this.events.publish(event),
			createRecording: (media, recordingId) =>
				new SessionRecording({
					sessionId,
					recordingId,
					router: media.router,
					dir: path.join(this.#config.recordingsDir, recordingId),
					ffmpegPath: this.#config.ffmpegPath,
					ports: this.#recordingPorts,
					publish: (event) => this.events.publish(event),
				}),
		});
		this.#sessions.set(sessionId, session);
		log.info('session opened', { sessionId, workerPid: (router.appData as { workerPid?: number }).workerPid });
		return session;
	}

	#workerDied(worker: ms.Worker, reason: string): void {
		const sessionIds: string[] = [];
		for (const [sessionId, session] of this.#sessions) {
			if (session.router.appData.workerPid !== worker.pid) continue;
			sessionIds.push(sessionId);
			session.workerDied(reason);
			this.#sessions.delete(sessionId);
		}
		this.events.publish({ type: 'worker.died', pid: worker.pid, sessionIds, reason });
	}
}
