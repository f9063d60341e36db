// How the controlling rep's page tells where its pointer is (SPEC §9). A mouse reports far more places than
// anyone needs and the requests can cross on the way, so: one request in flight at a time, the newest place
// waiting behind it (older ones are dropped, never sent out of order), at most one per POINTER_EVERY_MS; a
// pointer resting on the screen is told again every POINTER_RESTATE_MS, since viewers fade a pointer they
// have not heard of for POINTER_IDLE_MS (its "left" may have gone with a closed page).

import type { MarkPoint } from '../session/model.ts';

/** A page sends a move at most this often. */
export const POINTER_EVERY_MS = 30;
/** A resting pointer is told again this often … */
export const POINTER_RESTATE_MS = 2_000;
/** … and a viewer fades one it has not heard of for this long. */
export const POINTER_IDLE_MS = 5_000;

/** Time is a port: the page's clock and timers, or a test's. */
export interface PointerTimers {
	now(): number;
	setTimeout(run: () => void, ms: number): unknown;
	clearTimeout(handle: unknown): void;
}

const pageTimers: PointerTimers = {
	now: () => performance.now(),
	setTimeout: (run, ms) => setTimeout(run, ms),
	clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** `move(place)` as the mouse goes, `move(null)` when it leaves the screen or the tool is put down. */
export function pointerSender(send: (place: MarkPoint | null) => Promise<unknown>, timers: PointerTimers = pageTimers) {
	/** The place still to be told (undefined: nothing waits). */
	let waiting: MarkPoint | null | undefined;
	let inFlight = false;
	let lastSentAt = -Infinity;
	let gap: unknown = null;
	let restate: unknown = null;

	function pump() {
		if (inFlight || gap !== null || waiting === undefined) return;
		const place = waiting;
		const wait = POINTER_EVERY_MS - (timers.now() - lastSentAt);
		if (place !== null && wait > 0) {
			gap = timers.setTimeout(() => {
				gap = null;
				pump();
			}, wait);
			return;
		}
		waiting = undefined;
		inFlight = true;
		lastSentAt = timers.now();
		send(place)
			.then(
				() => true,
				() => false,
			)
			.then((told) => {
				inFlight = false;
				// A refused place is not told again (control gone, the share ended): the next move tries anew.
				if (told && place !== null && waiting === undefined) restate = timers.setTimeout(() => move(place), POINTER_RESTATE_MS);
				pump();
			});
	}

	function move(place: MarkPoint | null) {
		if (restate !== null) timers.clearTimeout(restate);
		restate = null;
		waiting = place;
		pump();
	}

	return { move };
}
