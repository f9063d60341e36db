// Recordings in the console (SPEC §9): a session's recordings with their tracks, the control timeline,
// Export, and which files a rep may read. A rep sees a session's recordings if they took part in it
// (any participant row of theirs) or are an administrator; nobody else does.

import { join } from 'node:path';
import { asc, eq } from 'drizzle-orm';
import type { Database } from '@tandem/db';
import { participants, supportSessions } from '@tandem/db';
import { eventsOf } from '../log/eventLog.ts';
import type { RepRow } from '../auth/repAccounts.ts';
import { TandemError } from '../refusal.ts';
import { tookPart } from '../reports/reportAccess.ts';
import type { SessionEvent } from '../session/model.ts';
import { controlTimeline, type ControlSpan } from './controlTimeline.ts';
import { RecordingExports, type ExportStatus } from './exportJob.ts';
import {
	contentTypeOf,
	durationOf,
	endOf,
	EXPORT_FILE,
	playableTracks,
	readManifest,
	readSessionManifests,
	recordingDir,
	sessionIdOf,
	spanOf,
	type RecordingManifest,
	type RecordingTrack,
} from './manifest.ts';

export interface TrackView {
	file: string;
	participantId: string;
	/** Who produced it (their name in the session). */
	name: string;
	source: RecordingTrack['source'];
	kind: RecordingTrack['kind'];
	/** Seconds from the recording's start. */
	offset: number;
	duration: number;
	status: RecordingTrack['status'];
	failureReason?: string;
	/** The file is there to play (and goes into Export). */
	playable: boolean;
}

export interface RecordingView {
	recordingId: string;
	sessionId: string;
	startedAt: number;
	endedAt: number | null;
	/** Seconds. */
	duration: number;
	status: RecordingManifest['status'];
	failureReason?: string;
	tracks: TrackView[];
	export: ExportStatus;
}

export interface RecordingTimeline {
	recordingId: string;
	duration: number;
	control: ControlSpan[];
}

export interface RecordingFile {
	path: string;
	contentType: string;
}

export class Recordings {
	readonly dir: string;
	readonly exports: RecordingExports;
	readonly #db: Database;

	constructor(deps: { db: Database; recordingsDir: string; ffmpegPath?: string }) {
		this.#db = deps.db;
		this.dir = deps.recordingsDir;
		this.exports = new RecordingExports({ recordingsDir: deps.recordingsDir, ...(deps.ffmpegPath ? { ffmpegPath: deps.ffmpegPath } : {}) });
	}

	async list(rep: RepRow, sessionId: string): Promise<RecordingView[]> {
		await this.#mayRead(rep, sessionId);
		const names = await this.#names(sessionId);
		const manifests = await readSessionManifests(this.dir, sessionId);
		return Promise.all(manifests.map((m) => this.#view(m, names)));
	}

	async timeline(rep: RepRow, recordingId: string, sessionId?: string): Promise<RecordingTimeline> {
		const manifest = await this.#recording(rep, recordingId, sessionId);
		const rows = await eventsOf(this.#db, 'session', manifest.sessionId);
		const events = rows.map((r) => r.payload as SessionEvent);
		const control = controlTimeline(events, manifest.startedAt, endOf(manifest), await this.#names(manifest.sessionId));
		return { recordingId, duration: durationOf(manifest), control };
	}

	async export(rep: RepRow, recordingId: string, sessionId?: string): Promise<ExportStatus> {
		const manifest = await this.#recording(rep, recordingId, sessionId);
		if (manifest.status === 'recording') throw new TandemError('recordingInProgress');
		return this.exports.start(manifest, await playableTracks(this.dir, manifest));
	}

	async exportStatus(rep: RepRow, recordingId: string, sessionId?: string): Promise<ExportStatus> {
		await this.#recording(rep, recordingId, sessionId);
		return this.exports.status(recordingId);
	}

	/**
	 * A file of a recording the rep may read: only a track's file named in the manifest, or the export.
	 * Anything else (other names, paths, another session's recording) is refused.
	 */
	async file(rep: RepRow | null, recordingId: string, file: string): Promise<RecordingFile> {
		if (!rep) throw new TandemError('notSignedIn');
		const manifest = await this.#recording(rep, recordingId);
		const dir = recordingDir(this.dir, manifest.recordingId);
		if (file === EXPORT_FILE) return { path: join(dir, EXPORT_FILE), contentType: 'video/webm' };
		const track = manifest.tracks.find((t) => t.file === file);
		if (!track) throw new TandemError('recordingNotFound', 'no such file in this recording');
		return { path: join(dir, track.file), contentType: contentTypeOf(track.kind) };
	}

	close(): void {
		this.exports.close();
	}

	/** The recording's manifest, once the rep may read its session (and it is of `sessionId`, when given). */
	async #recording(rep: RepRow, recordingId: string, sessionId?: string): Promise<RecordingManifest> {
		const owner = sessionIdOf(recordingId);
		if (!owner) throw new TandemError('recordingNotFound', 'not a recording id');
		if (sessionId !== undefined && owner !== sessionId) {
			throw new TandemError('recordingNotFound', 'this recording is not of that session');
		}
		await this.#mayRead(rep, owner);
		const manifest = await readManifest(this.dir, recordingId);
		if (!manifest) throw new TandemError('recordingNotFound', 'no such recording');
		return manifest;
	}

	async #mayRead(rep: RepRow, sessionId: string): Promise<void> {
		if (rep.isAdmin) {
			const [session] = await this.#db.select({ id: supportSessions.id }).from(supportSessions).where(eq(supportSessions.id, sessionId));
			if (!session) throw new TandemError('sessionNotFound');
			return;
		}
		if (!(await tookPart(this.#db, rep.id, sessionId)))
			throw new TandemError('notInSession', 'only reps who took part in the session (and administrators) see its recordings');
	}

	async #names(sessionId: string): Promise<Map<string, string>> {
		const rows = await this.#db
			.select({ id: participants.id, name: participants.name })
			.from(participants)
			.where(eq(participants.sessionId, sessionId));
		return new Map(rows.map((r) => [r.id, r.name]));
	}

	async #view(manifest: RecordingManifest, names: ReadonlyMap<string, string>): Promise<RecordingView> {
		const playable = new Set(await playableTracks(this.dir, manifest));
		return {
			recordingId: manifest.recordingId,
			sessionId: manifest.sessionId,
			startedAt: manifest.startedAt,
			endedAt: manifest.endedAt,
			duration: durationOf(manifest),
			status: manifest.status,
			...(manifest.failureReason ? { failureReason: manifest.failureReason } : {}),
			tracks: manifest.tracks.map((t) => ({
				file: t.file,
				participantId: t.participantId,
				name: names.get(t.participantId) ?? '',
				source: t.source,
				kind: t.kind,
				...spanOf(manifest, t),
				status: t.status,
				...(t.failureReason ? { failureReason: t.failureReason } : {}),
				playable: playable.has(t),
			})),
			export: await this.exports.status(manifest.recordingId),
		};
	}
}
