// Playback of a recording: one clock for every track's <video>/<audio>. Each element shows its track
// only between its offset and its end on the recording's clock; an element that drifts from the clock
// by more than DRIFT seconds is put back.

import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@tandem/core/server';

type Outputs = inferRouterOutputs<AppRouter>;
export type RecordingView = Outputs['recordings']['list'][number];
export type TrackView = RecordingView['tracks'][number];
export type RecordingTimeline = Outputs['recordings']['timeline'];
export type ExportStatus = Outputs['recordings']['exportStatus'];

export const DRIFT = 0.25;

/** Where a recording's file is served (Range requests seek). */
export const recordingFileUrl = (recordingId: string, file: string) =>
	`/console/api/recordings/${encodeURIComponent(recordingId)}/${encodeURIComponent(file)}`;

/** 75 → "1:15"; 3725 → "1:02:05". */
export function clockTime(seconds: number): string {
	const s = Math.max(0, Math.floor(seconds));
	const h = Math.floor(s / 3600);
	const mm = Math.floor((s % 3600) / 60);
	const ss = String(s % 60).padStart(2, '0');
	return h > 0 ? `${h}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** The recording's clock: runs from a position at a moment while playing; stands still when paused. */
export class PlaybackClock {
	#anchorAt = 0;
	#anchorPosition = 0;
	#playing = false;
	readonly duration: number;

	constructor(duration: number) {
		this.duration = duration;
	}

	get playing(): boolean {
		return this.#playing;
	}

	position(now = performance.now()): number {
		const p = this.#playing ? this.#anchorPosition + (now - this.#anchorAt) / 1000 : this.#anchorPosition;
		return Math.min(this.duration, Math.max(0, p));
	}

	play(now = performance.now()): void {
		if (this.#playing) return;
		if (this.position(now) >= this.duration) this.#anchorPosition = 0;
		this.#anchorAt = now;
		this.#playing = true;
	}

	pause(now = performance.now()): void {
		this.#anchorPosition = this.position(now);
		this.#playing = false;
	}

	seek(position: number, now = performance.now()): void {
		this.#anchorPosition = Math.min(this.duration, Math.max(0, position));
		this.#anchorAt = now;
	}
}

/**
 * Brings one element in line with the clock: inside its track's span it plays (or pauses) at the right
 * time; outside it, it is paused (and shows nothing). Returns whether the track is on at this moment.
 */
export function follow(
	element: HTMLMediaElement,
	track: { offset: number; duration: number },
	position: number,
	playing: boolean,
	force = false,
): boolean {
	const local = position - track.offset;
	// The file may end a little before the manifest says: it is off from its own end.
	const end = Number.isFinite(element.duration) && element.duration > 0 ? Math.min(track.duration, element.duration) : track.duration;
	const on = local >= 0 && local < end;
	if (!on) {
		if (!element.paused) element.pause();
		const rest = local < 0 ? 0 : end;
		if (force && element.readyState > 0 && Math.abs(element.currentTime - rest) > DRIFT) element.currentTime = rest;
		return false;
	}
	// Put back on the clock: after a seek, when it drifted, and (closely) as it starts.
	const off = Math.abs(element.currentTime - local);
	if (element.readyState > 0 && !element.seeking && (force || off > DRIFT || (playing && element.paused && off > 0.05))) {
		element.currentTime = local;
	}
	if (playing && element.paused && !element.ended) void element.play().catch(() => undefined);
	if (!playing && !element.paused) element.pause();
	return true;
}
