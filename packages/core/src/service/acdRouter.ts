// WebACD's routing at work (SPEC §7, §8): whenever something changes (a customer asks, an offer is declined
// or expires, an agent becomes available, a session ends), one node — the holder of the routing lease —
// works out the offers to make with the pure rules (acd/routing.ts) and makes them: each an offerSession
// command under the session's lock (which refuses a second offer to the same agent), a timer for its expiry
// (fires once across nodes), and for round robin a note of whom it went to. It also tells the line of each
// queue to the waiting customers' feeds (their place and estimated wait).

import { randomUUID } from 'node:crypto';
import { asc, eq, inArray } from 'drizzle-orm';
import { supportSessions, queues, type Database } from '@tandem/db';
import type { AgentView as RoutedAgent, QueueState, WaitingSession } from '../acd/model.ts';
import { estimatedWaitMs, line, route } from '../acd/routing.ts';
import type { Lease } from '../effects/lease.ts';
import type { Bus } from '../feed/bus.ts';
import { TandemError } from '../refusal.ts';
import type { SessionState } from '../session/model.ts';
import type { Timers } from '../timers/timers.ts';
import type { Clock } from '../time/clock.ts';
import type { Acd } from './acd.ts';
import { queueAggregate } from './acdAggregates.ts';
import type { CommandRunner } from '../aggregate/runner.ts';
import { readSiteSettings } from './repLoad.ts';
import type { SessionService } from './sessionService.ts';

const OFFER_TIMER = 'acd:offer';
/** A pass now and then even without news (a lease taken over, a timer another node fired). */
const TICK_MS = 2_000;

export interface AcdRouterDeps {
	db: Database;
	sessions: SessionService;
	acd: Acd;
	runner: CommandRunner;
	timers: Timers;
	lease: Lease;
	clock: Clock;
	bus: Bus;
}

/** A queue's line, as its waiting customers' feeds need it. */
export interface QueueLine {
	queueId: string | null;
	/** Waiting sessions in order (place 1 first). */
	sessionIds: string[];
	/** The estimated wait per place in line, ms; null when no member is there to take it. */
	perPlaceMs: number | null;
}

export class AcdRouter {
	private readonly deps: AcdRouterDeps;
	private running: Promise<void> | null = null;
	private again = false;
	private tick: ReturnType<typeof setInterval> | null = null;

	constructor(deps: AcdRouterDeps) {
		this.deps = deps;
		deps.timers.on(OFFER_TIMER, (payload) => this.expire(payload as { sessionId: string; offerId: string; repId: string }));
	}

	start(): void {
		if (this.tick) return;
		this.tick = setInterval(() => this.wake(), TICK_MS);
		this.tick.unref?.();
		this.wake();
	}

	async close(): Promise<void> {
		if (this.tick) clearInterval(this.tick);
		this.tick = null;
		await this.running;
	}

	/** Something changed: route again soon (passes never overlap; news during one brings another). Until
	 * started, nothing (tests on a fake clock run passes by hand). */
	wake(): void {
		if (!this.tick) return;
		if (this.running) {
			this.again = true;
			return;
		}
		this.running = (async () => {
			do {
				this.again = false;
				try {
					if (await this.deps.lease.hold()) await this.pass();
				} catch (error) {
					console.error('acd: a routing pass failed', error);
				}
			} while (this.again && this.tick);
		})().finally(() => (this.running = null));
	}

	/** One routing pass over every waiting session (exported for tests, which run passes by hand). */
	async pass(): Promise<void> {
		const { db, clock } = this.deps;
		const rows = await db
			.select({ id: supportSessions.id, state: supportSessions.state })
			.from(supportSessions)
			.where(eq(supportSessions.status, 'waiting'));
		const waiting: WaitingSession[] = rows.flatMap((r) => {
			const h = (r.state as SessionState).handover;
			return h ? [{ sessionId: r.id, handover: h }] : [];
		});
		const queueIds = [...new Set(waiting.map((w) => w.handover.queueId).filter((q): q is string => q !== null))];
		const queueStates = queueIds.length
			? (await db.select({ state: queues.state }).from(queues).where(inArray(queues.id, queueIds))).map((q) => q.state as QueueState)
			: [];
		const agentIds = [...new Set([...queueStates.flatMap((q) => q.members), ...waiting.flatMap((w) => w.handover.agents ?? [])])];
		const offersOut = new Map<string, number>();
		for (const w of waiting) for (const o of w.handover.offers) offersOut.set(o.repId, (offersOut.get(o.repId) ?? 0) + 1);
		const agents: RoutedAgent[] = (await this.deps.acd.routingViews(agentIds)).map((a) => ({
			...a,
			offersOut: offersOut.get(a.repId) ?? 0,
		}));
		const timeoutMs = (await readSiteSettings(db)).offerTimeoutSeconds * 1000;

		// A round ends when nobody holds an offer of the session and everyone who could take it has let it pass
		// — or, for a transfer to chosen agents, when the round has lasted an offer timeout with none of them
		// there to be offered it. Then it goes round again where it is: a queue's session back to its queue, a
		// transfer to chosen agents once more to them; after their second round it moves on to the fallback
		// queue, ahead of new requests (SPEC §7). With no queue at all it stays with those agents.
		const fallback = await this.fallbackQueue();
		for (const w of waiting) {
			const h = w.handover;
			if (h.offers.length > 0) continue;
			const queue = h.queueId ? queueStates.find((q) => q.id === h.queueId) : undefined;
			const candidates = h.queueId ? (queue?.members ?? []) : (h.agents ?? []);
			const allPassed = candidates.length > 0 && candidates.every((repId) => h.passedBy.includes(repId));
			const timedOut = h.queueId === null && clock.now() - h.since >= timeoutMs;
			if (!allPassed && !timedOut) continue;
			const toFallback = h.queueId === null && h.round >= 2 && fallback !== null;
			if (!toFallback && !allPassed && h.round >= 2) continue; // no queue to go to: it waits for them
			await this.deps.sessions
				.command(w.sessionId, { kind: 'system' }, { type: 'nextRound', queueId: toFallback ? fallback : h.queueId })
				.catch(ignoreGone);
			this.again = true; // route the moved session in the next pass
		}

		const groups: [QueueState | null, WaitingSession[]][] = [
			...queueStates.map((q): [QueueState, WaitingSession[]] => [q, waiting.filter((w) => w.handover.queueId === q.id)]),
			[null, waiting.filter((w) => w.handover.queueId === null)],
		];
		for (const [queue, theirs] of groups) {
			if (theirs.length === 0) continue;
			for (const offer of route(queue && !queue.removed ? queue : null, theirs, agents)) {
				const made = await this.offer(offer.sessionId, offer.repId, clock.now() + timeoutMs);
				if (!made) continue;
				const agent = agents.find((a) => a.repId === offer.repId);
				if (agent) agent.offersOut++;
				if (queue?.routing === 'roundRobin') {
					await this.deps.runner.run(queueAggregate, queue.id, { kind: 'system' }, { type: 'noteOffered', repId: offer.repId }, undefined);
				}
			}
			if (queue) this.tellLine(queue, theirs, agents);
		}
	}

	/** The site's fallback queue for transfers to agents (SPEC §7): the one chosen, or the first queue made. */
	private async fallbackQueue(): Promise<string | null> {
		const chosen = (await readSiteSettings(this.deps.db)).fallbackQueueId;
		const live = await this.deps.db.select({ id: queues.id }).from(queues).where(eq(queues.removed, false)).orderBy(asc(queues.createdAt));
		return live.find((q) => q.id === chosen)?.id ?? live[0]?.id ?? null;
	}

	/** Offers one waiting session to one agent until `expiresAt`; false when the rules made no offer. */
	private async offer(sessionId: string, repId: string, expiresAt: number): Promise<boolean> {
		const offerId = randomUUID();
		try {
			const state = await this.deps.sessions.command(
				sessionId,
				{ kind: 'system' },
				{ type: 'offerSession', offers: [{ offerId, repId, expiresAt }] },
			);
			if (!state.handover?.offers.some((o) => o.id === offerId)) return false;
		} catch (error) {
			if (error instanceof TandemError) return false; // ended or taken meanwhile
			throw error;
		}
		await this.deps.timers.schedule(`${OFFER_TIMER}:${offerId}`, OFFER_TIMER, { sessionId, offerId, repId }, expiresAt);
		return true;
	}

	/** An offer's time is up: it expires, the agent who let it is away (SPEC §8), and routing moves on. */
	private async expire({ sessionId, offerId, repId }: { sessionId: string; offerId: string; repId: string }): Promise<void> {
		const before = await this.deps.sessions.state(sessionId);
		const stillOut = before?.handover?.offers.some((o) => o.id === offerId);
		if (!stillOut) return;
		await this.deps.sessions.command(sessionId, { kind: 'system' }, { type: 'expireOffer', offerId });
		await this.deps.acd.markAway(repId, 'offerExpired');
		this.wake();
	}

	/** The queue's line and estimate to every feed (each waiting customer finds their own place in it). */
	private tellLine(queue: QueueState, waiting: WaitingSession[], agents: RoutedAgent[]): void {
		const membersNotAway = agents.filter((a) => queue.members.includes(a.repId) && a.state !== 'away').length;
		this.deps.bus.publishLine({
			queueId: queue.id,
			sessionIds: line(waiting).map((w) => w.sessionId),
			perPlaceMs: estimatedWaitMs(1, queue.handlingMs, membersNotAway),
		});
	}
}

/** A session ended or taken meanwhile has nothing left to move. */
function ignoreGone(error: unknown): void {
	if (error instanceof TandemError) return;
	throw error;
}
