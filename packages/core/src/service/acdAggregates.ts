// WebACD's queues and agents as the command runner knows them: how each is loaded and projected, who the
// actor is, and what each command needs beyond the aggregate (the proposed members, the other queues'
// names) — the session's counterpart is sessionAggregate.ts.

import { and, eq, inArray, ne } from 'drizzle-orm';
import { agents, consoles, queues, reps } from '@tandem/db';
import type { AggregateType, CommandNeeds } from '../aggregate/runner.ts';
import { decideAgent, evolveAgent, type AgentActor, type AgentCommand, type AgentEvent, type AgentRefusal } from '../acd/agentRules.ts';
import type { AgentRecord, QueueState } from '../acd/model.ts';
import { agentRecordOrDefault } from '../acd/agentRules.ts';
import { agentState } from '../acd/routing.ts';
import {
	decideQueue,
	evolveQueue,
	type QueueActor,
	type QueueCommand,
	type QueueEvent,
	type QueueInputs,
	type QueueRefusal,
} from '../acd/queueRules.ts';
import { readAgentLoad, type Tx } from './repLoad.ts';

/** Who is asking, as the API knows them. */
export type AcdActorRef = { kind: 'rep'; repId: string } | { kind: 'system' };

const label = (ref: AcdActorRef) => (ref.kind === 'rep' ? `rep:${ref.repId}` : 'system');

// ---------------------------------------------------------------- queues

/** Queue names are unique among live queues: commands that name one are serialised on this key. */
const NAMES_KEY = 'queues:names';

const queueNeeds = (command: QueueCommand): CommandNeeds<QueueState, QueueCommand, AcdActorRef, object> => {
	if (command.type !== 'createQueue' && command.type !== 'changeQueue') return { locks: () => [], inputs: async () => ({}) };
	return {
		locks: () => [NAMES_KEY],
		inputs: async (tx, state, c): Promise<QueueInputs> => {
			const settings = c as Extract<QueueCommand, { type: 'createQueue' | 'changeQueue' }>;
			const members = settings.members ?? [];
			const found = members.length
				? await tx.select({ id: reps.id, isAgent: reps.isAgent, disabled: reps.disabled }).from(reps).where(inArray(reps.id, members))
				: [];
			const others = await tx
				.select({ name: queues.name })
				.from(queues)
				.where(and(eq(queues.removed, false), ...(state ? [ne(queues.id, state.id)] : [])));
			return {
				agents: new Map(found.map((r) => [r.id, r.isAgent && !r.disabled])),
				otherNames: others.map((o) => o.name),
			};
		},
	};
};

export async function loadQueue(db: Tx, queueId: string): Promise<QueueState | null> {
	const [row] = await db.select({ state: queues.state }).from(queues).where(eq(queues.id, queueId));
	return (row?.state as QueueState | undefined) ?? null;
}

export const queueAggregate: AggregateType<QueueState, QueueCommand, QueueEvent, AcdActorRef, QueueActor, QueueRefusal, undefined> = {
	kind: 'queue',
	load: loadQueue,
	async actor(tx, ref) {
		if (ref.kind === 'system') return { kind: 'system' };
		const [row] = await tx.select({ isAdmin: reps.isAdmin, disabled: reps.disabled }).from(reps).where(eq(reps.id, ref.repId));
		return row?.isAdmin && !row.disabled ? { kind: 'admin', repId: ref.repId } : { kind: 'other' };
	},
	needs: queueNeeds,
	decide: (state, command, actor, ctx) => decideQueue(state, command, actor, ctx as { now: number } & QueueInputs),
	evolve: evolveQueue,
	idOf: (state) => state.id,
	async project(tx, { before, state }) {
		const row = { name: state.name, removed: state.removed, state, version: state.version };
		if (before) await tx.update(queues).set(row).where(eq(queues.id, state.id));
		else await tx.insert(queues).values({ id: state.id, createdAt: new Date(state.createdAt), ...row });
	},
	actorLabel: label,
};

// ---------------------------------------------------------------- agents

export async function loadAgent(db: Tx, repId: string): Promise<AgentRecord | null> {
	const [row] = await db.select({ state: agents.state }).from(agents).where(eq(agents.repId, repId));
	return (row?.state as AgentRecord | undefined) ?? null;
}

/** An agent's aggregate is keyed by their rep id; a command carries it (the agent has no record before their first). */
export type AgentCommandFor = AgentCommand & { repId: string };

export const agentAggregate: AggregateType<AgentRecord, AgentCommandFor, AgentEvent, AcdActorRef, AgentActor, AgentRefusal, undefined> = {
	kind: 'agent',
	load: loadAgent,
	async actor(tx, ref) {
		if (ref.kind === 'system') return { kind: 'system' };
		const [row] = await tx.select({ isAgent: reps.isAgent, disabled: reps.disabled }).from(reps).where(eq(reps.id, ref.repId));
		return row && !row.disabled ? { kind: 'rep', repId: ref.repId, isAgent: row.isAgent } : { kind: 'other' };
	},
	needs: () => ({ locks: () => [], inputs: async () => ({}) }),
	decide: (state, command, actor, ctx) => decideAgent(state, command, actor, { now: ctx.now, repId: command.repId }),
	evolve: evolveAgent,
	idOf: (state) => state.repId,
	async project(tx, { before, state }) {
		const row = { state, version: state.version };
		if (before) await tx.update(agents).set(row).where(eq(agents.repId, state.repId));
		else await tx.insert(agents).values({ repId: state.repId, ...row });
	},
	actorLabel: label,
};

/**
 * The state of each rep named as a transfer's target (SPEC §7): whether they are an enabled agent, and
 * available, busy or away now (chosen, signed in, load and capacity).
 */
export async function readAgentStates(
	tx: Tx,
	repIds: readonly string[],
): Promise<{ repId: string; isAgent: boolean; state: 'available' | 'busy' | 'away' }[]> {
	if (repIds.length === 0) return [];
	const rows = await tx
		.select({ id: reps.id, isAgent: reps.isAgent, disabled: reps.disabled, record: agents.state })
		.from(reps)
		.leftJoin(agents, eq(agents.repId, reps.id))
		.where(inArray(reps.id, [...repIds]));
	const out = [];
	for (const r of rows) {
		const load = await readAgentLoad(tx, r.id);
		const present = await tx
			.select({ id: consoles.id })
			.from(consoles)
			.where(and(eq(consoles.repId, r.id), eq(consoles.connected, true)))
			.limit(1);
		const record = agentRecordOrDefault((r.record as AgentRecord | null) ?? null, r.id);
		out.push({
			repId: r.id,
			isAgent: r.isAgent && !r.disabled,
			state: load ? agentState(record.chosen, present.length > 0, load.controlledSessions, load.capacity) : ('away' as const),
		});
	}
	return out;
}
