// One command runner for every kind of aggregate (a support session now; queues and agents next): it
// serialises a command with every other command touching the same things, reads exactly what the command
// declares it needs, asks the kind's pure `decide`, and commits the events to the one log with the kind's
// projections — or nothing at all when the command is refused.
//
// Serialising: an in-process mutex per key, and on PostgreSQL transaction advisory locks on the same keys
// (sorted, so two commands never wait on each other in a circle). The keys beyond the aggregate's own
// (e.g. the reps whose limits a command touches) are read before taking the locks and checked again inside
// them; when they changed meanwhile the command runs again — a bounded number of times.

import { sql } from 'drizzle-orm';
import type { Database } from '@tandem/db';
import { appendToLog, type AggregateKind, type LoggedEvent } from '../log/eventLog.ts';
import { refuse, type ErrorCode } from '../refusal.ts';
import type { Tx } from '../service/repLoad.ts';
import { KeyedMutex } from '../service/keyedMutex.ts';
import type { Clock } from '../time/clock.ts';

/** What one command needs beyond its own aggregate, declared in one place per command. */
export interface CommandNeeds<S, C, Ref, I> {
	/** Lock keys of other things the command touches (e.g. `rep:<id>`): read outside the lock, checked again inside. */
	locks(state: S | null, command: C, actor: Ref): string[];
	/** The inputs `decide` requires for this command (loads of other aggregates), read under the locks. */
	inputs(tx: Tx, state: S | null, command: C, actor: Ref): Promise<I>;
}

/** The refusal code and the events of a decision, as every kind's `decide` answers. */
export type KindDecision<E, R extends string> = { ok: true; events: E[] } | { ok: false; refusal: { code: R } };

/** A kind of aggregate, as the runner needs to know it. */
export interface AggregateType<
	S,
	C extends { type: string },
	E extends { type: string; at: number },
	Ref,
	A,
	R extends ErrorCode,
	Secrets,
> {
	kind: AggregateKind;
	/** The state after the aggregate's last event, or null when it does not exist. */
	load(tx: Tx, id: string): Promise<S | null>;
	/** The actor as `decide` sees it (roles, limits), from who the API says is calling. */
	actor(tx: Tx, ref: Ref): Promise<A>;
	/** `commands[type]` for the command's type: what it needs. */
	needs(command: C): CommandNeeds<S, C, Ref, object>;
	decide(state: S | null, command: C, actor: A, ctx: { now: number }): KindDecision<E, R>;
	evolve(state: S | null, event: E): S;
	idOf(state: S): string;
	/** Writes the query tables kept beside the events, in the same transaction. */
	project(tx: Tx, change: { before: S | null; state: S; events: readonly E[] }, secrets: Secrets): Promise<void>;
	/** Who caused the events, as the log records it (`rep:<id>`, `system`…). */
	actorLabel(ref: Ref): string;
}

export interface Committed<S, E> {
	kind: AggregateKind;
	id: string;
	before: S | null;
	state: S;
	events: LoggedEvent<E>[];
}

export interface RunnerDeps {
	db: Database;
	dbKind: 'pglite' | 'postgres';
	auditKey: Buffer;
	clock: Clock;
	/** Told of every commit, after it (feeds, effects). */
	committed(change: Committed<unknown, unknown>): void;
}

/** How many times a command whose lock keys moved under it runs again before giving up. */
const ATTEMPTS = 4;

class KeysMoved extends Error {}

export class CommandRunner {
	private readonly mutex = new KeyedMutex();
	private readonly deps: RunnerDeps;

	constructor(deps: RunnerDeps) {
		this.deps = deps;
	}

	/**
	 * Refuses `command` as `run` would refuse it now — the same loads and rules — without locking or writing
	 * anything: for a command whose outside work (the media server's) must not start when the rules say no,
	 * and must not leave a record when the outside work fails. `run` decides again under the locks after.
	 */
	async check<S, C extends { type: string }, E extends { type: string; at: number }, Ref, A, R extends ErrorCode, Secrets>(
		type: AggregateType<S, C, E, Ref, A, R, Secrets>,
		id: string | null,
		ref: Ref,
		command: C,
	): Promise<void> {
		const { db } = this.deps;
		const state = id ? await type.load(db, id) : null;
		const actor = await type.actor(db, ref);
		const inputs = await type.needs(command).inputs(db, state, command, ref);
		const decision = type.decide(state, command, actor, { now: this.deps.clock.now(), ...inputs });
		if (!decision.ok) refuse(decision.refusal.code);
	}

	/** Runs `command` against the aggregate `id` (null: it does not exist yet, or was not found). */
	async run<S, C extends { type: string }, E extends { type: string; at: number }, Ref, A, R extends ErrorCode, Secrets>(
		type: AggregateType<S, C, E, Ref, A, R, Secrets>,
		id: string | null,
		ref: Ref,
		command: C,
		secrets: Secrets,
	): Promise<Committed<S, E> & { changed: boolean }> {
		const { db } = this.deps;
		const needs = type.needs(command);
		// PGlite has one connection and runs one transaction at a time, whole: nothing can come between the
		// read and the commit, so no lock is needed, nor the read of the keys before it (a query fewer each).
		const serial = this.deps.dbKind === 'pglite';
		for (let attempt = 1; ; attempt++) {
			const peek = id && !serial ? await type.load(db, id) : null;
			const extra = serial ? [] : [...new Set(needs.locks(peek, command, ref))].sort();
			const keys = serial ? [] : [...(id ? [`${type.kind}:${id}`] : []), ...extra];
			try {
				const result = await this.mutex.run(keys, () =>
					db.transaction(async (tx) => {
						if (this.deps.dbKind === 'postgres') {
							for (const key of [...keys].sort()) await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
						}
						const before = id ? await type.load(tx, id) : null;
						const now = serial ? [] : [...new Set(needs.locks(before, command, ref))].sort();
						if (now.length !== extra.length || now.some((k, i) => k !== extra[i])) throw new KeysMoved();
						const actor = await type.actor(tx, ref);
						const inputs = await needs.inputs(tx, before, command, ref);
						const decision = type.decide(before, command, actor, { now: this.deps.clock.now(), ...inputs });
						if (!decision.ok) return refuse(decision.refusal.code);
						if (decision.events.length === 0) {
							if (!before) throw new Error(`${type.kind} ${command.type}: accepted with no events and no state`);
							return { before, state: before, events: [] as LoggedEvent<E>[] };
						}
						let state: S | null = before;
						for (const e of decision.events) state = type.evolve(state, e);
						const after = state!;
						await type.project(tx, { before, state: after, events: decision.events }, secrets);
						const aggregateId = type.idOf(after);
						const logged = await appendToLog(
							tx,
							{ dbKind: this.deps.dbKind, auditKey: this.deps.auditKey, kind: type.kind, aggregateId, actor: type.actorLabel(ref) },
							decision.events,
						);
						return { before, state: after, events: logged };
					}),
				);
				const committed: Committed<S, E> = { kind: type.kind, id: type.idOf(result.state), ...result };
				if (result.events.length) this.deps.committed(committed as Committed<unknown, unknown>);
				return { ...committed, changed: result.events.length > 0 };
			} catch (error) {
				if (!(error instanceof KeysMoved)) throw error;
				if (attempt >= ATTEMPTS) refuse('tryAgain');
			}
		}
	}
}
