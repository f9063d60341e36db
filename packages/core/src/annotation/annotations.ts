// Remote pointer and annotation (SPEC §9): the controlling rep points at a screen someone is sharing and
// draws on it. A drawn mark or a Clear is a session command like any other (kept in the log, so a page
// that opens afresh shows the marks, and a recording's timeline can tell of them); the pointer's moves are
// only told to the pages open now, through the bus, never stored — after the same rule has said yes.

import type { Bus } from '../feed/bus.ts';
import { refuse } from '../refusal.ts';
import { pointRefusal } from '../session/capabilities.ts';
import type { MarkKind, MarkPoint } from '../session/model.ts';
import { RateLimiter } from '../service/rateLimiter.ts';
import type { ActorRef, SessionService } from '../service/sessionService.ts';
import { POINTER_EVERY_MS } from '../media/pointerSender.ts';
import { participantIn } from '../trpc/actor.ts';

/** Where the pointer is on a shared screen (0–1 across and down), or that it left it (null). */
export interface PointerMove {
	sessionId: string;
	/** Whose shared screen. */
	share: string;
	participantId: string;
	/** The pointing rep's: their own consoles draw their own pointer, not its echo. */
	repId: string | null;
	name: string;
	at: { x: number; y: number } | null;
	/** Who may see it: the session's people at the time. */
	participantIds: string[];
	repIds: string[];
}

/**
 * Moves one person may send beyond one per POINTER_EVERY_MS (what a page sends at most): the network bunches
 * a page's moves together, and the last of them — where the pointer rests — must not be the one dropped.
 * Beyond the burst a flood is thinned to the page's rate.
 */
const POINTER_RATE = { burst: 8, perSecond: 1000 / POINTER_EVERY_MS };

export class Annotations {
	private readonly moves: RateLimiter;

	private readonly deps: { sessions: SessionService; bus: Bus };

	constructor(deps: { sessions: SessionService; bus: Bus }) {
		this.deps = deps;
		this.moves = new RateLimiter(POINTER_RATE, () => deps.sessions.now());
	}

	async draw(
		actor: ActorRef,
		sessionId: string,
		mark: { markId: string; share: string; kind: MarkKind; points: MarkPoint[] },
	): Promise<void> {
		await this.deps.sessions.command(sessionId, actor, { type: 'drawMark', ...mark });
	}

	async clear(actor: ActorRef, sessionId: string, share: string | null): Promise<void> {
		await this.deps.sessions.command(sessionId, actor, { type: 'clearMarks', share });
	}

	async point(actor: ActorRef, sessionId: string, share: string, at: { x: number; y: number } | null): Promise<void> {
		// A pointer leaving the screen is always told; moves are thinned — before the session is read, since a
		// flood must cost little.
		const key = `${sessionId}:${actor.kind === 'rep' ? `rep:${actor.repId}` : actor.kind === 'customer' ? `c:${actor.participantId}` : actor.kind}`;
		if (at && !this.moves.tryTake(key)) return;
		const state = (await this.deps.sessions.state(sessionId)) ?? refuse('sessionNotFound');
		const me = participantIn(state, actor) ?? refuse(actor.kind === 'anonymous' ? 'notSignedIn' : 'notInSession');
		const viewer = me.repId ? { kind: 'rep' as const, repId: me.repId } : { kind: 'customer' as const, participantId: me.id };
		const refusal = pointRefusal(state, viewer, share);
		if (refusal) refuse(refusal);
		this.deps.bus.publishPointer({
			sessionId,
			share,
			participantId: me.id,
			repId: me.repId ?? null,
			name: me.name,
			at,
			participantIds: state.participants.map((p) => p.id),
			repIds: state.participants.flatMap((p) => (p.repId ? [p.repId] : [])),
		});
	}
}
