// A recording as the media server left it on disk (SPEC §9): `<recordingsDir>/<recordingId>/` holds one
// WebM per track and `manifest.json` saying when each file starts and ends and who produced it. The
// manifest is read as untrusted input: checked with the contract's schema (file names are plain names).

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { recordingManifest, type RecordingManifest, type RecordingTrack } from '@tandem/sfu-contract';

/** `${sessionId}-${eventId}`: the session's uuid and the id of the event that started the recording. */
export const RECORDING_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(\d{1,18})$/;
export const recordingIdSchema = z.string().max(60).regex(RECORDING_ID, 'not a recording id');

/** The composite made by Export, beside the tracks. */
export const EXPORT_FILE = 'export.webm';

export type { RecordingManifest, RecordingTrack };

export function sessionIdOf(recordingId: string): string | null {
	return RECORDING_ID.exec(recordingId)?.[1] ?? null;
}

export const recordingDir = (recordingsDir: string, recordingId: string) => join(recordingsDir, recordingId);

/**
 * The manifest of one recording, or null when there is none (no folder, no manifest yet, or one that is
 * not a manifest of this recording).
 */
export async function readManifest(recordingsDir: string, recordingId: string): Promise<RecordingManifest | null> {
	if (!RECORDING_ID.test(recordingId)) return null;
	let text: string;
	try {
		text = await readFile(join(recordingDir(recordingsDir, recordingId), 'manifest.json'), 'utf8');
	} catch {
		return null;
	}
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		return null;
	}
	const parsed = recordingManifest.safeParse(json);
	if (!parsed.success) return null;
	const manifest = parsed.data;
	if (manifest.recordingId !== recordingId || manifest.sessionId !== sessionIdOf(recordingId)) return null;
	return manifest;
}

/** Every recording of a session found on disk, oldest first. */
export async function readSessionManifests(recordingsDir: string, sessionId: string): Promise<RecordingManifest[]> {
	let names: string[];
	try {
		names = await readdir(recordingsDir);
	} catch {
		return [];
	}
	const mine = names.filter((n) => n.startsWith(`${sessionId}-`) && sessionIdOf(n) === sessionId);
	const manifests = await Promise.all(mine.map((n) => readManifest(recordingsDir, n)));
	return manifests.filter((m): m is RecordingManifest => m !== null).sort((a, b) => a.startedAt - b.startedAt);
}

/** When the recording ends: its own end, else (still running, or the server died) the last track's. */
export function endOf(manifest: RecordingManifest, now = Date.now()): number {
	if (manifest.endedAt !== null) return Math.max(manifest.endedAt, manifest.startedAt);
	const ends = manifest.tracks.map((t) => t.endedAt ?? (manifest.status === 'recording' ? now : t.startedAt));
	return Math.max(manifest.startedAt, ...ends);
}

/** Seconds from the recording's start to its end. */
export const durationOf = (manifest: RecordingManifest, now = Date.now()) => (endOf(manifest, now) - manifest.startedAt) / 1000;

/** A track's place on the recording's clock, in seconds. */
export function spanOf(manifest: RecordingManifest, track: RecordingTrack, now = Date.now()): { offset: number; duration: number } {
	const end = track.endedAt ?? endOf(manifest, now);
	const offset = Math.max(0, track.startedAt - manifest.startedAt) / 1000;
	return { offset, duration: Math.max(0, end - Math.max(track.startedAt, manifest.startedAt)) / 1000 };
}

/** Tracks whose file exists and has something in it: what playback and Export can use. */
export async function playableTracks(recordingsDir: string, manifest: RecordingManifest): Promise<RecordingTrack[]> {
	const dir = recordingDir(recordingsDir, manifest.recordingId);
	const sizes = await Promise.all(
		manifest.tracks.map((t) =>
			stat(join(dir, t.file)).then(
				(s) => (s.isFile() ? s.size : 0),
				() => 0,
			),
		),
	);
	return manifest.tracks.filter((t, i) => t.status !== 'recording' && sizes[i]! > 0);
}

export const contentTypeOf = (kind: 'audio' | 'video') => (kind === 'audio' ? 'audio/webm' : 'video/webm');
