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
]);

/** Activities whose start and stop everyone should read in the chat (the others show on the stage). */
const told = new Set(['recording']);

export function isTranscriptLine(e: Line): boolean {
	if (always.has(e.type)) return true;
	if (e.type === 'activity.started' || e.type === 'activity.stopped') return told.has(e.activity ?? '');
	return e.type.startsWith('file.');
}
