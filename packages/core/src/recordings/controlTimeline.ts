// Who had control of the session while a recording ran: the session's own events replayed by the
// rules (`evolve`), so a transfer, a controller leaving or the end mean here what they mean there.

import { evolve } from '../session/evolve.ts';
import type { SessionEvent, SessionState } from '../session/model.ts';

export interface ControlSpan {
	participantId: string;
	name: string;
	/** Seconds from the recording's start. */
	start: number;
	end: number;
}

/**
 * The controllers between `from` and `to` (ms epoch), in order, as seconds from `from`. Times with no
 * controller (a session waiting for an agent, or ended) have no span. Names are as the session knew
 * them; `names` fills in any it did not (a participant known only from the participants table).
 */
export function controlTimeline(
	events: readonly SessionEvent[],
	from: number,
	to: number,
	names: ReadonlyMap<string, string> = new Map(),
): ControlSpan[] {
	const changes: { at: number; participantId: string | null; name: string }[] = [];
	let state: SessionState | null = null;
	for (const event of events) {
		const before = state?.controllerId ?? null;
		state = evolve(state, event);
		const after = state.controllerId;
		if (changes.length === 0 || after !== before) {
			const who = after ? state.participants.find((p) => p.id === after) : undefined;
			changes.push({ at: event.at, participantId: after, name: who?.name ?? (after ? names.get(after) : undefined) ?? '' });
		}
	}
	const spans: ControlSpan[] = [];
	changes.forEach((change, i) => {
		const next = changes[i + 1]?.at ?? Number.POSITIVE_INFINITY;
		const start = Math.max(change.at, from);
		const end = Math.min(next, to);
		if (change.participantId === null || end <= start) return;
		const last = spans.at(-1);
		const span = { participantId: change.participantId, name: change.name, start: (start - from) / 1000, end: (end - from) / 1000 };
		if (last && last.participantId === span.participantId && last.end === span.start) last.end = span.end;
		else spans.push(span);
	});
	return spans;
}
