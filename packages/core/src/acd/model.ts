// WebACD as the rules see it (SPEC §7, §8): queues, agents and the sessions that wait for one. Pure data.
//
// A customer who asks for help, and a session transferred to WebACD, are the same thing here: a support
// session that waits (no controller) in a queue, or for chosen agents, until an agent accepts an offer of
// it. The session holds its hand-over (where it waits, since when, the offers out); a queue holds its
// configuration, its round-robin pointer and its recent handling times; an agent holds the state they chose.

import type { RepId, SessionId } from '../session/model.ts';

export type QueueId = string;
export type OfferId = string;

/** How a queue picks who gets an offer (SPEC §8). */
export type RoutingRule = 'mostIdle' | 'roundRobin' | 'everybody';
export const routingRules = ['mostIdle', 'roundRobin', 'everybody'] as const satisfies readonly RoutingRule[];

/** An agent's state as the header shows it (SPEC §8, §12: Available / Busy / Away). */
export type AgentState = 'available' | 'busy' | 'away';

/** What an agent chose in the header (busy also comes by itself, at capacity). */
export type ChosenAgentState = AgentState;

/** Why an agent is away when they did not choose it. */
export type AwayReason = 'chosen' | 'offerExpired' | 'signedOut';

export interface QueueState {
	id: QueueId;
	name: string;
	/** Member agents, in the order round robin walks them. */
	members: RepId[];
	routing: RoutingRule;
	/** Customers may pick it in Get help. */
	openToCustomers: boolean;
	removed: boolean;
	createdAt: number;
	/** Round robin: the member last offered a session. */
	lastOfferedTo: RepId | null;
	/** How long its last sessions (at most 20) took from acceptance to the end, ms. */
	handlingMs: number[];
	version: number;
}

/** Mean handling time while a queue has none of its own (SPEC §8: 5 minutes). */
export const DEFAULT_HANDLING_MS = 5 * 60_000;
/** Handling times a queue keeps for its estimate. */
export const HANDLING_KEPT = 20;

export interface AgentRecord {
	repId: RepId;
	chosen: ChosenAgentState;
	awayReason: AwayReason | null;
	/** When the agent last stopped having a session (or started, if never had one): most idle's order. */
	idleSince: number;
	version: number;
}

/** An offer out: a waiting session offered to one agent until it expires. */
export interface Offer {
	id: OfferId;
	repId: RepId;
	madeAt: number;
	expiresAt: number;
}

/** Where a waiting session waits and what it carries to the agent (SPEC §7, §8). */
export interface Handover {
	origin: 'getHelp' | 'transfer';
	/** The queue it waits in, or null while it is offered to chosen agents. */
	queueId: QueueId | null;
	/** The agents a transfer chose (null when it went to a queue). */
	agents: RepId[] | null;
	/** Offers to chosen agents: the first round, the second; then the fallback queue (SPEC §7). */
	round: number;
	/** Transferred sessions wait ahead of new Get help requests (they have waited once). */
	ahead: boolean;
	/** When it started waiting where it waits now (its place in line). */
	since: number;
	/** When the customer first asked (or the session was first handed over): "waited". */
	firstSince: number;
	message: string | null;
	problem: string | null;
	email: string | null;
	/** Who transferred it (a rep's name), for the offer. */
	fromName: string | null;
	offers: Offer[];
	/** Agents who declined or let an offer of it expire: routing moves on past them. */
	passedBy: RepId[];
	/** None of the chosen agents took it: it waits in the fallback queue for the next free rep. */
	fellBack: boolean;
}

/** An agent as routing sees them now. */
export interface AgentView {
	repId: RepId;
	/** Effective state: away (chosen, offer expired, signed out), busy (chosen or at capacity), available. */
	state: AgentState;
	/** Sessions they control now. */
	load: number;
	capacity: number;
	idleSince: number;
	/** Offers out to them now (of any session). */
	offersOut: number;
}

/** A session waiting in a queue (or for chosen agents), as routing and the line see it. */
export interface WaitingSession {
	sessionId: SessionId;
	handover: Handover;
}

/** An offer routing decides to make. */
export interface OfferToMake {
	sessionId: SessionId;
	repId: RepId;
}
