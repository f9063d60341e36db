// Media through core (ARCHITECTURE "Media flow"): every call checks that the caller takes part in the session,
// then asks the SFU. Sending a screen, a camera or a microphone is a command the session rules decide first
// (sendMedia): a command they refuse touches nothing in the SFU, and one the SFU refuses leaves nothing in
// the record. Stopping goes through the rules too, and the media effect closes what carried it.

import { MediaError, type MediaKind, type MediaPort, type MediaSource } from './mediaPort.ts';
import { activityOf, carries, mayReceive } from './mediaRules.ts';
import type { Bus } from '../feed/bus.ts';
import { refuse, TandemError } from '../refusal.ts';
import type { Participant, SessionState } from '../session/model.ts';
import type { ActorRef } from '../service/sessionAggregate.ts';
import type { RateLimiter } from '../service/rateLimiter.ts';
import type { SessionService } from '../service/sessionService.ts';

type Json = Record<string, unknown>;

/** The caller, as the API found them: whose cookie, in which session. */
export interface MediaCaller {
	actor: ActorRef;
	sessionId: string;
}

export class SessionMediaService {
	private readonly media: MediaPort | null;
	private readonly sessions: SessionService;
	private readonly bus: Bus;

	private readonly rate: RateLimiter;

	constructor(deps: { media: MediaPort | null; sessions: SessionService; bus: Bus; rate: RateLimiter }) {
		this.media = deps.media;
		this.sessions = deps.sessions;
		this.bus = deps.bus;
		this.rate = deps.rate;
	}

	/** The router's capabilities: a browser loads its mediasoup Device with them. */
	async capabilities(caller: MediaCaller) {
		const { media } = await this.member(caller);
		return sfu(() => media.openSession(caller.sessionId));
	}

	async createTransport(caller: MediaCaller, direction: 'send' | 'recv') {
		const { media, me } = await this.member(caller);
		await sfu(() => media.openSession(caller.sessionId));
		return sfu(() => media.createTransport(caller.sessionId, me.id, direction));
	}

	async connectTransport(caller: MediaCaller, transportId: string, dtlsParameters: Json): Promise<{ ok: true }> {
		const { media, me } = await this.member(caller);
		await sfu(() => media.connectTransport(caller.sessionId, me.id, transportId, dtlsParameters));
		return { ok: true };
	}

	/**
	 * Send my screen, camera or microphone. The rules are asked first (a refusal touches nothing anywhere),
	 * then the SFU takes the track, then the rules decide again and commit under the session's lock: what
	 * the SFU refuses (a wrong transport, codecs it lacks) leaves no record, and a track the rules refuse
	 * by then (a transfer came in between) is closed at once.
	 */
	async produce(
		caller: MediaCaller,
		request: { transportId: string; kind: MediaKind; rtpParameters: Json; source: MediaSource },
	): Promise<{ producerId: string }> {
		const { media, me } = await this.member(caller);
		if ((request.source === 'microphone') !== (request.kind === 'audio')) refuse('invalidInput');
		const sid = caller.sessionId;
		const command = { type: 'sendMedia', source: request.source } as const;
		await this.sessions.check(sid, caller.actor, command);
		const activity = activityOf(request.source);
		// A new share of the same source replaces the old one (a restart, or a leftover after a drop).
		const replaced = await sfu(() => media.closeProducers(sid, { sources: [request.source], participantId: me.id }));
		let producerId: string;
		try {
			({ producerId } = await sfu(() => media.produce(sid, me.id, request)));
		} catch (error) {
			// An old track of this source was closed for the new one, which did not start: the record says it ended.
			if (activity && replaced.length > 0) {
				await this.sessions.command(sid, { kind: 'system' }, { type: 'mediaEnded', activity, participantId: me.id }).catch(logFailure);
			}
			throw error;
		}
		const closeIt = () => sfu(() => media.closeProducers(sid, { sources: [request.source], participantId: me.id }));
		try {
			await this.sessions.command(sid, caller.actor, command);
		} catch (error) {
			await closeIt().catch(logFailure);
			throw error;
		}
		// The rules may have ended it since (a transfer, a new focus): what the media effect closed then did not
		// include this producer yet — close it too.
		const now = await this.sessions.state(sid);
		if (
			!now ||
			now.status === 'ended' ||
			!now.participants.some((p) => p.id === me.id) ||
			!carries(now.activities, request.source, me.id)
		) {
			await closeIt();
			refuse('activityNotOn');
		}
		this.announce(now);
		return { producerId };
	}

	/** Stop my share, camera or microphone. */
	async stop(caller: MediaCaller, source: MediaSource): Promise<{ ok: true }> {
		const { media, state, me } = await this.member(caller);
		const activity = activityOf(source);
		if (activity) {
			await this.sessions.command(caller.sessionId, caller.actor, { type: 'stopActivity', activity }).catch((error: unknown) => {
				// Already off (the rules ended it first): closing what is left is all there is to do.
				if (!(error instanceof TandemError && error.code === 'activityNotOn')) throw error;
			});
		}
		// At once, not only when the media effect gets to the event: the person is waiting for it.
		await sfu(() => media.closeProducers(caller.sessionId, { sources: [source], participantId: me.id }));
		if (!activity) this.announce(state);
		return { ok: true };
	}

	/** What the caller can consume now (everyone else's producers). */
	async producers(caller: MediaCaller) {
		const { media, me } = await this.member(caller);
		const all = await sfu(() => media.producers(caller.sessionId));
		return all.filter((p) => p.participantId !== me.id);
	}

	async consume(caller: MediaCaller, request: { transportId: string; producerId: string; rtpCapabilities: Json }) {
		const { media, me } = await this.member(caller);
		return sfu(() => media.consume(caller.sessionId, me.id, request));
	}

	async resumeConsumer(caller: MediaCaller, consumerId: string): Promise<{ ok: true }> {
		const { media, me } = await this.member(caller);
		await sfu(() => media.resumeConsumer(caller.sessionId, me.id, consumerId));
		return { ok: true };
	}

	/**
	 * My page lost its connection to the media server (media health): the record says so, the others are
	 * told, and what I sent on a lost sending connection stops (the media effect closes what is left of it and
	 * tells the pages, as for any activity that stops).
	 */
	async reportLost(caller: MediaCaller, direction: 'send' | 'receive'): Promise<{ ok: true }> {
		await this.member(caller);
		await this.sessions.command(caller.sessionId, caller.actor, { type: 'reportMediaLost', direction });
		return { ok: true };
	}

	/** Media moved in a session (a producer came or went): its people's pages refetch what they can consume. */
	announce(...states: (SessionState | null)[]): void {
		const people = states.flatMap((s) => s?.participants ?? []);
		const sessionId = states.find((s) => s)?.id;
		if (!sessionId) return;
		this.bus.publishMedia({
			sessionId,
			participantIds: [...new Set(people.map((p) => p.id))],
			repIds: [...new Set(people.flatMap((p) => (p.repId ? [p.repId] : [])))],
		});
	}

	/** The caller's participant in a session they may take part in, with the media port. */
	private async member(caller: MediaCaller): Promise<{ media: MediaPort; state: SessionState; me: Participant }> {
		// Who may comes first: without an SFU a stranger still learns only that they may not.
		if (caller.actor.kind === 'anonymous') return refuse('notSignedIn');
		const state = (await this.sessions.state(caller.sessionId)) ?? refuse('sessionNotFound');
		const actor = caller.actor;
		const me = state.participants.find((p) =>
			actor.kind === 'rep' ? p.repId === actor.repId : actor.kind === 'customer' && p.id === actor.participantId,
		);
		const refusal = mayReceive(state, me);
		if (refusal || !me) return refuse(refusal ?? 'notInSession');
		// Each call reaches the media server: a participant in a loop is slowed, nobody else.
		this.rate.take(me.id);
		const media = this.media ?? refuse('mediaUnavailable');
		return { media, state, me };
	}
}

/** The SFU's refusals as Tandem's own: its words stay in the server's log, the caller gets a code. */
async function sfu<T>(call: () => Promise<T>): Promise<T> {
	try {
		return await call();
	} catch (error) {
		if (error instanceof MediaError) {
			if (error.status >= 500) console.error(`media: the SFU failed: ${error.message}`);
			throw new TandemError(error.status === 503 ? 'mediaUnavailable' : 'mediaRefused', error.message);
		}
		throw error;
	}
}

function logFailure(error: unknown): void {
	console.error('media: could not put right a track that did not start', error);
}
