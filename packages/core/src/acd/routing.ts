// Routing and the line (SPEC §7, §8): who is offered a waiting session, in what order sessions wait, and
// what a waiting customer is told. Pure functions of the queue, the waiting sessions and the agents now.

import type { RepId, SessionMode } from '../session/model.ts';
import {
	DEFAULT_HANDLING_MS,
	type AgentState,
	type AgentView,
	type ChosenAgentState,
	type OfferToMake,
	type QueueState,
	type WaitingSession,
} from './model.ts';

/**
 * An agent's state as everyone sees it: away when they chose it or are not signed in; busy when they chose
 * it or have as many sessions as they may; available otherwise.
 */
export function agentState(chosen: ChosenAgentState, signedIn: boolean, load: number, capacity: number): AgentState {
	if (!signedIn || chosen === 'away') return 'away';
	if (chosen === 'busy' || load >= capacity) return 'busy';
	return 'available';
}

/**
 * How many sessions an agent takes at once (SPEC §8): their own setting or the site's default, never more
 * than the site's maximum sessions per rep, and one in single-session mode.
 */
export function agentCapacity(own: number | null, siteDefault: number, maxSessions: number, mode: SessionMode): number {
	if (mode === 'single') return 1;
	return Math.max(1, Math.min(own ?? siteDefault, maxSessions));
}

/** The line of one queue (SPEC §8): sessions transferred to it first (they have waited once), each group by arrival. */
export function line<W extends WaitingSession>(waiting: readonly W[]): W[] {
	return [...waiting].sort(
		(a, b) =>
			Number(b.handover.ahead) - Number(a.handover.ahead) || a.handover.since - b.handover.since || a.sessionId.localeCompare(b.sessionId),
	);
}

/** A waiting session's place in its queue's line, from 1 (null when it is not in it). */
export function positionOf(waiting: readonly WaitingSession[], sessionId: string): number | null {
	const i = line(waiting).findIndex((w) => w.sessionId === sessionId);
	return i < 0 ? null : i + 1;
}

/** The mean of a queue's last handling times, or the site's default while it has none. */
export function meanHandlingMs(handlingMs: readonly number[]): number {
	return handlingMs.length === 0 ? DEFAULT_HANDLING_MS : handlingMs.reduce((a, b) => a + b, 0) / handlingMs.length;
}

/**
 * The estimated wait (SPEC §8): position × the queue's mean handling time ÷ the members not away. Null when
 * no member is there to take it (all away or signed out): the customer is told no agent is available now.
 */
export function estimatedWaitMs(position: number, handlingMs: readonly number[], membersNotAway: number): number | null {
	if (membersNotAway <= 0) return null;
	return (position * meanHandlingMs(handlingMs)) / membersNotAway;
}

/** What a customer is told of a wait: "less than a minute", or "about N minutes" (rounded). */
export type WaitWords = { kind: 'noAgent' } | { kind: 'lessThanMinute' } | { kind: 'minutes'; minutes: number };

export function waitWords(ms: number | null): WaitWords {
	if (ms === null) return { kind: 'noAgent' };
	if (ms < 60_000) return { kind: 'lessThanMinute' };
	return { kind: 'minutes', minutes: Math.round(ms / 60_000) };
}

/** Agents who may be offered something now: available, with a free place (sessions and offers out). */
function freePlaces(agents: readonly AgentView[]): Map<RepId, number> {
	return new Map(agents.filter((a) => a.state === 'available').map((a) => [a.repId, a.capacity - a.load - a.offersOut] as const));
}

/**
 * The offers to make now for one queue's waiting sessions (or, with no queue, sessions offered to agents a
 * transfer chose). Head of the line first. Most idle and round robin offer a session to one agent at a
 * time; everybody to every available member at once. Nobody is offered more than they have room for, nor a
 * session they declined or let expire, nor one they are offered already.
 */
export function route(
	queue: Pick<QueueState, 'members' | 'routing' | 'lastOfferedTo'> | null,
	waiting: readonly WaitingSession[],
	agents: readonly AgentView[],
): OfferToMake[] {
	const places = freePlaces(agents);
	const byId = new Map(agents.map((a) => [a.repId, a]));
	const offers: OfferToMake[] = [];
	let pointer = queue?.lastOfferedTo ?? null;
	for (const session of line(waiting)) {
		const h = session.handover;
		const members = queue ? queue.members : (h.agents ?? []);
		const offeredNow = new Set(h.offers.map((o) => o.repId));
		const eligible = (repId: RepId) => (places.get(repId) ?? 0) > 0 && !offeredNow.has(repId) && !h.passedBy.includes(repId);
		const give = (repId: RepId) => {
			offers.push({ sessionId: session.sessionId, repId });
			places.set(repId, places.get(repId)! - 1);
		};
		const rule = queue ? queue.routing : 'everybody'; // chosen agents are all offered at once
		if (rule === 'everybody') {
			for (const repId of members) if (eligible(repId)) give(repId);
			continue;
		}
		if (h.offers.length > 0) continue; // one at a time: it is out already
		if (rule === 'mostIdle') {
			const idlest = members
				.filter(eligible)
				.map((repId, order) => ({ repId, order, agent: byId.get(repId)! }))
				.sort((a, b) => a.agent.load - b.agent.load || a.agent.idleSince - b.agent.idleSince || a.order - b.order)[0];
			if (idlest) give(idlest.repId);
			continue;
		}
		// Round robin: the next member after the one last offered, walking the members in order.
		const start = pointer === null ? 0 : members.indexOf(pointer) + 1;
		for (let step = 0; step < members.length; step++) {
			const repId = members[(start + step) % members.length]!;
			if (eligible(repId)) {
				give(repId);
				pointer = repId;
				break;
			}
		}
	}
	return offers;
}
