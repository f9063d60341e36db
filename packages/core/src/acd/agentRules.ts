// The rules of a WebACD agent's state (SPEC §8, §12: Available / Busy / Away): the agent chooses it in the
// console's header; the system makes them away when they let an offer expire or leave the console, and
// notes when they last had no session (most idle's order). Busy also comes by itself at capacity — that
// is worked out from the load (routing.ts), not stored.

import type { RepId } from '../session/model.ts';
import type { AgentRecord, AwayReason, ChosenAgentState } from './model.ts';

export type AgentCommand =
	| { type: 'chooseAgentState'; state: ChosenAgentState }
	| { type: 'markAway'; reason: Exclude<AwayReason, 'chosen'> }
	/** The agent's last session ended or moved on: they are without one from now. */
	| { type: 'noteIdle' };

export type AgentCommandType = AgentCommand['type'];

export type AgentEvent =
	| { type: 'agent.stateChosen'; at: number; repId: RepId; state: ChosenAgentState; reason: AwayReason | null }
	| { type: 'agent.idle'; at: number; repId: RepId };

/** Who asks: the agent themself (a rep with the agent privilege, or not), or the system. */
export type AgentActor = { kind: 'rep'; repId: RepId; isAgent: boolean } | { kind: 'system' } | { kind: 'other' };

export const agentRefusalCodes = ['notAnAgent', 'forbidden'] as const;
export type AgentRefusal = (typeof agentRefusalCodes)[number];

export type AgentDecision = { ok: true; events: AgentEvent[] } | { ok: false; refusal: { code: AgentRefusal } };

const refuse = (code: AgentRefusal): AgentDecision => ({ ok: false, refusal: { code } });
const accept = (events: AgentEvent[]): AgentDecision => ({ ok: true, events });

export function decideAgent(
	state: AgentRecord | null,
	command: AgentCommand,
	actor: AgentActor,
	ctx: { now: number; repId: RepId },
): AgentDecision {
	const at = ctx.now;
	const repId = ctx.repId;
	switch (command.type) {
		case 'chooseAgentState':
			if (actor.kind !== 'rep' || actor.repId !== repId) return refuse('forbidden');
			if (!actor.isAgent) return refuse('notAnAgent');
			if (state?.chosen === command.state && (command.state !== 'away' || state.awayReason === 'chosen')) return accept([]);
			return accept([{ type: 'agent.stateChosen', at, repId, state: command.state, reason: command.state === 'away' ? 'chosen' : null }]);
		case 'markAway':
			if (actor.kind !== 'system') return refuse('forbidden');
			if (state?.chosen === 'away') return accept([]);
			return accept([{ type: 'agent.stateChosen', at, repId, state: 'away', reason: command.reason }]);
		case 'noteIdle':
			if (actor.kind !== 'system') return refuse('forbidden');
			return accept([{ type: 'agent.idle', at, repId }]);
	}
}

/** A new agent's record: available, without a session since now. */
const fresh = (repId: RepId, at: number): AgentRecord => ({ repId, chosen: 'available', awayReason: null, idleSince: at, version: 0 });

export function evolveAgent(state: AgentRecord | null, event: AgentEvent): AgentRecord {
	const base = state ?? fresh(event.repId, event.at);
	const next = { ...base, version: base.version + 1 };
	switch (event.type) {
		case 'agent.stateChosen':
			return { ...next, chosen: event.state, awayReason: event.reason };
		case 'agent.idle':
			return { ...next, idleSince: event.at };
	}
}

/** An agent who never chose: available (their console being open says they are there), idle since always. */
export const agentRecordOrDefault = (state: AgentRecord | null, repId: RepId): AgentRecord => state ?? fresh(repId, 0);
