// Which of a session's events are lines of its chat transcript (SPEC §9): what people wrote, and the
// system lines among them — joined, left, control transferred, recording started or stopped, files, the
// hand-overs and the end. One list for the server (the snapshot, the mailed transcript) and the pages (the
// live feed). No zod here: the pages import it.

import type { SessionEvent } from './model.ts';

/** A transcript line as the feed describes it (FeedEvent, feed/views.ts): just what this needs of it. */
interface Line {
	type: SessionEvent['type'];
	activity: string | null;
}

const always = new Set<SessionEvent['type']>([
	'chat.posted',
	'participant.joined',
	'participant.left',
	'control.transferred',
	'session.requested',
	'session.accepted',
	'session.handedOver',
	'session.ended',
	'file.offered',
	'file.cancelled',
]);

/** Activities whose start and stop everyone should read in the chat (the others show on the stage). */
const told = new Set(['recording']);

export function isTranscriptLine(e: Line): boolean {
	if (always.has(e.type)) return true;
	if (e.type === 'activity.started' || e.type === 'activity.stopped') return told.has(e.activity ?? '');
	return false;
}

/** The catalog keys of the transcript's system lines (messages/*.json): the pages map each to its words. */
export type TranscriptKey =
	| 'event_joined'
	| 'event_left'
	| 'event_removed'
	| 'event_control'
	| 'event_handed_over'
	| 'event_ended'
	| 'event_recording_started'
	| 'event_recording_stopped'
	| 'event_file_sent'
	| 'event_file_cancelled';

/** A transcript line as the feed describes it, with the names it needs. */
interface Described extends Line {
	who: string | null;
	to: string | null;
	reason: string | null;
	file?: { name: string } | undefined;
}

/** Which words say a system line, and with what: one choice for the mailed transcript and both pages. */
export function systemLineWords(
	l: Described,
): { key: TranscriptKey; params: { name: string; from: string; to: string; file: string } } | null {
	const params = { name: l.who ?? '', from: l.who ?? '', to: l.to ?? '', file: l.file?.name ?? '' };
	const say = (key: TranscriptKey) => ({ key, params });
	switch (l.type) {
		case 'participant.joined':
		case 'session.requested':
		case 'session.accepted':
			return say('event_joined');
		case 'participant.left':
			// Handed over: the hand-over's own line says it.
			if (l.reason === 'handedOver') return null;
			return say(l.reason === 'removed' ? 'event_removed' : 'event_left');
		case 'control.transferred':
			return say('event_control');
		case 'session.handedOver':
			return say('event_handed_over');
		case 'session.ended':
			return say('event_ended');
		case 'activity.started':
			return l.activity === 'recording' ? say('event_recording_started') : null;
		case 'activity.stopped':
			return l.activity === 'recording' ? say('event_recording_stopped') : null;
		case 'file.offered':
			return say('event_file_sent');
		case 'file.cancelled':
			return say('event_file_cancelled');
		default:
			return null;
	}
}

/** A transcript kept by a page: lines by their event id, in order, each once (a resumed feed may repeat one). */
export function mergeLines<T extends { id: number }>(lines: readonly T[], more: readonly T[]): T[] {
	if (more.length === 0) return lines as T[];
	const byId = new Map(lines.map((l) => [l.id, l]));
	for (const l of more) byId.set(l.id, l);
	return [...byId.values()].sort((a, b) => a.id - b.id);
}
