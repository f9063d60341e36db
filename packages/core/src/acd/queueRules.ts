// The rules of a WebACD queue (SPEC §8, §10): administrators make, change and remove queues; routing notes
// whom it offered last (round robin) and how long sessions took (the estimated wait). Pure, like the
// session's rules: `decideQueue(state, command, actor, inputs)` → events or a refusal; `evolveQueue`.

import type { RepId } from '../session/model.ts';
import { HANDLING_KEPT, type QueueId, type QueueState, type RoutingRule } from './model.ts';

export interface QueueSettings {
	name: string;
	members: RepId[];
	routing: RoutingRule;
	openToCustomers: boolean;
}

export type QueueCommand =
	| ({ type: 'createQueue'; queueId: QueueId } & QueueSettings)
	| ({ type: 'changeQueue' } & Partial<QueueSettings>)
	| { type: 'removeQueue' }
	/** Routing offered a session of this queue to an agent (round robin walks on from them). */
	| { type: 'noteOffered'; repId: RepId }
	/** A session of this queue ended (or moved on) this long after an agent accepted it. */
	| { type: 'noteHandled'; ms: number };

export type QueueCommandType = QueueCommand['type'];

export type QueueEvent =
	| ({ type: 'queue.created'; at: number; queueId: QueueId } & QueueSettings)
	| ({ type: 'queue.changed'; at: number } & Partial<QueueSettings>)
	| { type: 'queue.removed'; at: number }
	| { type: 'queue.offered'; at: number; repId: RepId }
	| { type: 'queue.handled'; at: number; ms: number };

export type QueueActor = { kind: 'admin'; repId: RepId } | { kind: 'system' } | { kind: 'other' };

export const queueRefusalCodes = ['forbidden', 'queueNotFound', 'queueExists', 'queueNameTaken', 'notAnAgent', 'nameRequired'] as const;
export type QueueRefusal = (typeof queueRefusalCodes)[number];

/** What a command needs beyond the queue: who the proposed members are, and the names other queues have. */
export interface QueueInputs {
	/** Of each rep named as a member: whether they are an enabled agent. */
	agents: ReadonlyMap<RepId, boolean>;
	/** Names of the other queues that are not removed. */
	otherNames: readonly string[];
}

export type QueueDecision = { ok: true; events: QueueEvent[] } | { ok: false; refusal: { code: QueueRefusal } };

const refuse = (code: QueueRefusal): QueueDecision => ({ ok: false, refusal: { code } });
const accept = (events: QueueEvent[]): QueueDecision => ({ ok: true, events });

/** The same name, as a person reads it (case and surrounding spaces aside). */
const sameName = (a: string, b: string) => a.trim().toLocaleLowerCase() === b.trim().toLocaleLowerCase();

function settingsRefusal(settings: Partial<QueueSettings>, inputs: QueueInputs): QueueRefusal | null {
	if (settings.name !== undefined) {
		if (!settings.name.trim()) return 'nameRequired';
		if (inputs.otherNames.some((n) => sameName(n, settings.name!))) return 'queueNameTaken';
	}
	if (settings.members?.some((repId) => !inputs.agents.get(repId))) return 'notAnAgent';
	return null;
}

export function decideQueue(
	state: QueueState | null,
	command: QueueCommand,
	actor: QueueActor,
	ctx: { now: number } & QueueInputs,
): QueueDecision {
	const at = ctx.now;
	switch (command.type) {
		case 'createQueue': {
			if (actor.kind !== 'admin') return refuse('forbidden');
			if (state) return refuse('queueExists');
			const { queueId, name, members, routing, openToCustomers } = command;
			const bad = settingsRefusal(command, ctx);
			if (bad) return refuse(bad);
			return accept([{ type: 'queue.created', at, queueId, name: name.trim(), members: unique(members), routing, openToCustomers }]);
		}
		case 'changeQueue': {
			if (actor.kind !== 'admin') return refuse('forbidden');
			if (!state || state.removed) return refuse('queueNotFound');
			const bad = settingsRefusal(command, ctx);
			if (bad) return refuse(bad);
			const { type: _type, ...asked } = command;
			const changes: Partial<QueueSettings> = {
				...(asked.name !== undefined && asked.name.trim() !== state.name ? { name: asked.name.trim() } : {}),
				...(asked.members !== undefined && !sameList(unique(asked.members), state.members) ? { members: unique(asked.members) } : {}),
				...(asked.routing !== undefined && asked.routing !== state.routing ? { routing: asked.routing } : {}),
				...(asked.openToCustomers !== undefined && asked.openToCustomers !== state.openToCustomers
					? { openToCustomers: asked.openToCustomers }
					: {}),
			};
			return accept(Object.keys(changes).length ? [{ type: 'queue.changed', at, ...changes }] : []);
		}
		case 'removeQueue':
			if (actor.kind !== 'admin') return refuse('forbidden');
			if (!state || state.removed) return refuse('queueNotFound');
			return accept([{ type: 'queue.removed', at }]);
		case 'noteOffered':
			if (actor.kind !== 'system') return refuse('forbidden');
			if (!state) return refuse('queueNotFound');
			return accept([{ type: 'queue.offered', at, repId: command.repId }]);
		case 'noteHandled':
			if (actor.kind !== 'system') return refuse('forbidden');
			if (!state) return refuse('queueNotFound');
			return accept([{ type: 'queue.handled', at, ms: Math.max(0, Math.round(command.ms)) }]);
	}
}

export function evolveQueue(state: QueueState | null, event: QueueEvent): QueueState {
	if (event.type === 'queue.created') {
		return {
			id: event.queueId,
			name: event.name,
			members: event.members,
			routing: event.routing,
			openToCustomers: event.openToCustomers,
			removed: false,
			createdAt: event.at,
			lastOfferedTo: null,
			handlingMs: [],
			version: 1,
		};
	}
	if (!state) throw new Error(`${event.type} before queue.created`);
	const next: QueueState = { ...state, version: state.version + 1 };
	switch (event.type) {
		case 'queue.changed': {
			const { type: _type, at: _at, ...changes } = event;
			return { ...next, ...changes };
		}
		case 'queue.removed':
			return { ...next, removed: true };
		case 'queue.offered':
			return { ...next, lastOfferedTo: event.repId };
		case 'queue.handled':
			return { ...next, handlingMs: [...state.handlingMs, event.ms].slice(-HANDLING_KEPT) };
	}
}

const unique = (list: readonly RepId[]) => [...new Set(list)];
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
