// WebACD as the API asks for it (SPEC §7, §8): administrators' queues, agents' states. Commands go through the
// one runner (acdAggregates.ts says what each needs); what is read for pages is read here.

import { randomUUID } from 'node:crypto';
import { and, asc, count, eq, inArray, ne } from 'drizzle-orm';
import { agents, consoles, queues, reps, supportSessions, type Database } from '@tandem/db';
import type { AggregateType, CommandRunner } from '../aggregate/runner.ts';
import { agentRecordOrDefault } from '../acd/agentRules.ts';
import type { AgentRecord, AgentState, ChosenAgentState, QueueState } from '../acd/model.ts';
import type { QueueSettings } from '../acd/queueRules.ts';
import { agentCapacity, agentState, estimatedWaitMs, line } from '../acd/routing.ts';
import type { LineChange } from '../feed/bus.ts';
import { refuse, type ErrorCode } from '../refusal.ts';
import type { SessionState } from '../session/model.ts';
import { formatSessionNumber } from '../session/sessionNumber.ts';
import type { Clock } from '../time/clock.ts';
import { agentAggregate, queueAggregate, type AcdActorRef } from './acdAggregates.ts';
import { readSiteSettings } from './repLoad.ts';

/** An offer on an agent's screen (SPEC §8): customer, problem, queue, how long they waited, a transfer's message. */
export interface OfferView {
	offerId: string;
	sessionId: string;
	numberFormatted: string;
	customers: string[];
	problem: string | null;
	queueName: string | null;
	/** When the customer first asked (or the session was first handed over). */
	waitingSince: number;
	message: string | null;
	fromName: string | null;
	expiresAt: number;
	/** Time left when it was read (a page counts down from when it got it: the server's clock is the one that counts). */
	timeLeftMs: number;
	/** How long the customer had waited when it was read. */
	waitedMs: number;
}

/** A queue as the administrators' page shows it. */
export interface QueueView {
	id: string;
	name: string;
	members: string[];
	routing: QueueState['routing'];
	openToCustomers: boolean;
}

/** An agent as the header and the Agents tab show them. */
export interface AgentView {
	repId: string;
	name: string;
	state: AgentState;
	/** What they chose (the header's menu shows it). */
	chosen: ChosenAgentState;
	awayReason: AgentRecord['awayReason'];
	load: number;
	capacity: number;
	/** Since when they have had no session (most idle's order). */
	idleSince: number;
}

export interface AcdDeps {
	db: Database;
	runner: CommandRunner;
	clock: Clock;
	/** Told when an agent's state or a queue changed (feeds refresh what they show). */
	changed?: () => void;
}

export class Acd {
	private readonly deps: AcdDeps;

	constructor(deps: AcdDeps) {
		this.deps = deps;
	}

	// ---------------------------------------------------------------- queues (administrators)

	async queues(): Promise<QueueView[]> {
		const rows = await this.deps.db
			.select({ state: queues.state })
			.from(queues)
			.where(eq(queues.removed, false))
			.orderBy(asc(queues.createdAt));
		return rows.map(({ state }) => viewOfQueue(state as QueueState));
	}

	async createQueue(adminId: string, settings: QueueSettings): Promise<QueueView> {
		const queueId = randomUUID();
		const { state } = await this.run(
			queueAggregate,
			queueId,
			{ kind: 'rep', repId: adminId },
			{ type: 'createQueue', queueId, ...settings },
		);
		return viewOfQueue(state);
	}

	async changeQueue(adminId: string, queueId: string, changes: Partial<QueueSettings>): Promise<QueueView> {
		const { state } = await this.run(queueAggregate, queueId, { kind: 'rep', repId: adminId }, { type: 'changeQueue', ...changes });
		return viewOfQueue(state);
	}

	async removeQueue(adminId: string, queueId: string): Promise<void> {
		await this.run(queueAggregate, queueId, { kind: 'rep', repId: adminId }, { type: 'removeQueue' });
	}

	/** A queue's line now: its waiting sessions in order, and the estimated wait per place (SPEC §8). */
	async lineOf(queueId: string): Promise<LineChange> {
		const [queueRow] = await this.deps.db.select({ state: queues.state }).from(queues).where(eq(queues.id, queueId));
		const queue = queueRow?.state as QueueState | undefined;
		const rows = await this.deps.db
			.select({ id: supportSessions.id, state: supportSessions.state })
			.from(supportSessions)
			.where(and(eq(supportSessions.status, 'waiting'), eq(supportSessions.waitingQueueId, queueId)));
		const waiting = rows.flatMap((r) => {
			const h = (r.state as SessionState).handover;
			return h ? [{ sessionId: r.id, handover: h }] : [];
		});
		const members = queue ? await this.agentViews(queue.members) : [];
		return {
			queueId,
			sessionIds: line(waiting).map((w) => w.sessionId),
			perPlaceMs: estimatedWaitMs(1, queue?.handlingMs ?? [], members.filter((a) => a.state !== 'away').length),
		};
	}

	/** Where a transfer may go (SPEC §7): every queue (how many wait, members not away), the other agents. */
	async transferTargets(repId: string): Promise<{
		queues: { id: string; name: string; waiting: number; membersThere: number }[];
		agents: AgentView[];
	}> {
		const all = await this.queues();
		const agents = await this.agentViews();
		const waitingRows = await this.deps.db
			.select({ queueId: supportSessions.waitingQueueId, n: count() })
			.from(supportSessions)
			.where(eq(supportSessions.status, 'waiting'))
			.groupBy(supportSessions.waitingQueueId);
		return {
			queues: all.map((q) => ({
				id: q.id,
				name: q.name,
				waiting: waitingRows.find((r) => r.queueId === q.id)?.n ?? 0,
				membersThere: agents.filter((a) => q.members.includes(a.repId) && a.state !== 'away').length,
			})),
			agents: agents.filter((a) => a.repId !== repId),
		};
	}

	/** Queues a customer may choose in Get help (SPEC §8). */
	async openQueues(): Promise<{ id: string; name: string }[]> {
		return (await this.queues()).filter((q) => q.openToCustomers).map(({ id, name }) => ({ id, name }));
	}

	/** The offers out to an agent now, as the offer on their screen shows each (SPEC §8). */
	async offersFor(repId: string): Promise<OfferView[]> {
		const rows = await this.deps.db
			.select({ id: supportSessions.id, state: supportSessions.state })
			.from(supportSessions)
			.where(eq(supportSessions.status, 'waiting'));
		const mine = rows.flatMap(({ state }) => {
			const s = state as SessionState;
			return (s.handover?.offers ?? []).filter((o) => o.repId === repId).map((o) => ({ s, o }));
		});
		if (mine.length === 0) return [];
		const names = new Map(
			(
				await this.deps.db
					.select({ id: queues.id, name: queues.name })
					.from(queues)
					.where(inArray(queues.id, [...new Set(mine.flatMap(({ s }) => (s.handover?.queueId ? [s.handover.queueId] : [])))]))
			).map((q) => [q.id, q.name]),
		);
		return mine
			.map(({ s, o }) => ({
				offerId: o.id,
				sessionId: s.id,
				numberFormatted: formatSessionNumber(s.number),
				customers: s.participants.filter((p) => p.role === 'customer').map((p) => p.name),
				problem: s.handover!.problem,
				queueName: s.handover!.queueId ? (names.get(s.handover!.queueId) ?? null) : null,
				waitingSince: s.handover!.firstSince,
				message: s.handover!.message,
				fromName: s.handover!.fromName,
				expiresAt: o.expiresAt,
				timeLeftMs: Math.max(0, o.expiresAt - this.deps.clock.now()),
				waitedMs: Math.max(0, this.deps.clock.now() - s.handover!.firstSince),
			}))
			.sort((a, b) => a.expiresAt - b.expiresAt);
	}

	// ---------------------------------------------------------------- agents

	/** An agent chooses Available, Busy or Away in the console's header. */
	async chooseState(repId: string, state: ChosenAgentState): Promise<AgentView> {
		await this.run(agentAggregate, repId, { kind: 'rep', repId }, { type: 'chooseAgentState', state, repId });
		return (await this.agentViews([repId]))[0] ?? refuse('notAnAgent');
	}

	/** The system makes an agent away: an offer they let expire, or they left the console. */
	async markAway(repId: string, reason: 'offerExpired' | 'signedOut'): Promise<void> {
		await this.run(agentAggregate, repId, { kind: 'system' }, { type: 'markAway', reason, repId });
	}

	/** An agent signed out, or their console is gone: away, until they choose again (a non-agent: nothing). */
	async leftConsole(repId: string): Promise<void> {
		const [row] = await this.deps.db.select({ isAgent: reps.isAgent }).from(reps).where(eq(reps.id, repId));
		if (row?.isAgent) await this.markAway(repId, 'signedOut');
	}

	/** Every enabled agent (or the ones named) with their state now: chosen, signed in, load and capacity. */
	async agentViews(only?: readonly string[]): Promise<AgentView[]> {
		const db = this.deps.db;
		const where = [eq(reps.isAgent, true), eq(reps.disabled, false), ...(only ? [inArray(reps.id, [...only])] : [])];
		if (only && only.length === 0) return [];
		const rows = await db
			.select({ id: reps.id, name: reps.name, mode: reps.sessionMode, own: reps.agentCapacity, record: agents.state })
			.from(reps)
			.leftJoin(agents, eq(agents.repId, reps.id))
			.where(and(...where))
			.orderBy(asc(reps.name));
		if (rows.length === 0) return [];
		const ids = rows.map((r) => r.id);
		const loads = await db
			.select({ repId: supportSessions.controllerRepId, n: count() })
			.from(supportSessions)
			.where(and(inArray(supportSessions.controllerRepId, ids), ne(supportSessions.status, 'ended')))
			.groupBy(supportSessions.controllerRepId);
		const present = await db
			.selectDistinct({ repId: consoles.repId })
			.from(consoles)
			.where(and(inArray(consoles.repId, ids), eq(consoles.connected, true)));
		const site = await readSiteSettings(db);
		return rows.map((r) => {
			const record = agentRecordOrDefault((r.record as AgentRecord | null) ?? null, r.id);
			const load = loads.find((l) => l.repId === r.id)?.n ?? 0;
			const capacity = agentCapacity(r.own, site.agentCapacity, site.maxSessionsPerRep, r.mode ?? site.defaultSessionMode);
			const signedIn = present.some((p) => p.repId === r.id);
			return {
				repId: r.id,
				name: r.name,
				state: agentState(record.chosen, signedIn, load, capacity),
				chosen: record.chosen,
				awayReason: record.awayReason,
				load,
				capacity,
				idleSince: record.idleSince,
			};
		});
	}

	/** The agents named, as routing sees them (offers out are counted by the router). */
	async routingViews(repIds: readonly string[]): Promise<Omit<import('../acd/model.ts').AgentView, 'offersOut'>[]> {
		return (await this.agentViews(repIds)).map(({ repId, state, load, capacity, idleSince }) => ({
			repId,
			state,
			load,
			capacity,
			idleSince,
		}));
	}

	/** An agent's session ended or moved on: with none left, they are without a session from now (most idle). */
	async noteIdleIfFree(repId: string): Promise<void> {
		const [view] = await this.agentViews([repId]);
		if (view && view.load === 0) await this.run(agentAggregate, repId, { kind: 'system' }, { type: 'noteIdle', repId });
	}

	private async run<S, C extends { type: string }, E extends { type: string; at: number }, A, R extends ErrorCode>(
		type: AggregateType<S, C, E, AcdActorRef, A, R, undefined>,
		id: string,
		ref: AcdActorRef,
		command: C,
	): Promise<{ state: S }> {
		const committed = await this.deps.runner.run(type, id, ref, command, undefined);
		if (committed.changed) this.deps.changed?.();
		return { state: committed.state };
	}
}

const viewOfQueue = (q: QueueState): QueueView => ({
	id: q.id,
	name: q.name,
	members: q.members,
	routing: q.routing,
	openToCustomers: q.openToCustomers,
});
