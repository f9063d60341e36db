// The one event log (ARCHITECTURE principle 3): every aggregate's events in one append-only table with a
// global id, each aggregate's own sequence, and an HMAC chain per aggregate. The feed, the effects and the
// audit read it by id. Ids are taken under a lock held until commit, so they commit in order: a reader
// that has seen id n has seen every id below it (a reader of max(id) never skips one committed late).

import { and, asc, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import { events, type AggregateKind } from '@tandem/db';
import { chainHash, chainSubject, GENESIS } from '../audit/chain.ts';
import type { Tx } from '../service/repLoad.ts';

export type { AggregateKind };

/** An event as the log keeps it. */
export interface LoggedEvent<E = unknown> {
	id: number;
	kind: AggregateKind;
	aggregateId: string;
	seq: number;
	event: E;
}

/** Where an aggregate's chain ends: its last sequence number and hash (0 and the genesis for a new one). */
export async function chainHead(tx: Tx, kind: AggregateKind, aggregateId: string): Promise<{ seq: number; hash: string }> {
	const [row] = await tx
		.select({ seq: events.seq, hash: events.hash })
		.from(events)
		.where(and(eq(events.aggregateKind, kind), eq(events.aggregateId, aggregateId)))
		.orderBy(desc(events.seq))
		.limit(1);
	return row ?? { seq: 0, hash: GENESIS };
}

/**
 * Appends an aggregate's new events after its chain head. Call it last in the transaction: on PostgreSQL it
 * takes the log's lock, which is held until commit.
 */
export async function appendToLog<E extends { type: string; at: number }>(
	tx: Tx,
	options: { dbKind: 'pglite' | 'postgres'; auditKey: Buffer; kind: AggregateKind; aggregateId: string; actor: string },
	newEvents: readonly E[],
): Promise<LoggedEvent<E>[]> {
	if (newEvents.length === 0) return [];
	const { kind, aggregateId, actor, auditKey } = options;
	// PGlite has one connection: its transactions already commit one at a time.
	if (options.dbKind === 'postgres') await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended('tandem:event-log', 0))`);
	const head = await chainHead(tx, kind, aggregateId);
	let prevHash = head.hash;
	const rows = newEvents.map((event, i) => {
		const row = {
			aggregateKind: kind,
			aggregateId,
			seq: head.seq + i + 1,
			type: event.type,
			payload: event as unknown as Record<string, unknown>,
			actor,
			at: new Date(event.at),
		};
		const hash = chainHash(auditKey, prevHash, { subject: chainSubject(kind, aggregateId), ...row });
		const stored = { ...row, prevHash, hash };
		prevHash = hash;
		return stored;
	});
	const inserted = await tx.insert(events).values(rows).returning({ id: events.id, seq: events.seq });
	const idOfSeq = new Map(inserted.map((r) => [r.seq, r.id]));
	return rows.map((r, i) => ({ id: idOfSeq.get(r.seq)!, kind, aggregateId, seq: r.seq, event: newEvents[i]! }));
}

/** The log's position: every event up to it has committed. */
export async function logPosition(db: Tx): Promise<number> {
	const [row] = await db.select({ id: sql<string | number | null>`max(${events.id})` }).from(events);
	return Number(row?.id ?? 0);
}

/** Events after a position, in order: all of them, or those of some aggregates of one kind. */
export async function eventsAfter(
	db: Tx,
	position: number,
	options: { kind?: AggregateKind; aggregateIds?: readonly string[]; limit?: number } = {},
): Promise<LoggedEvent[]> {
	if (options.aggregateIds && options.aggregateIds.length === 0) return [];
	const where = [gt(events.id, position)];
	if (options.kind) where.push(eq(events.aggregateKind, options.kind));
	if (options.aggregateIds) where.push(inArray(events.aggregateId, [...options.aggregateIds]));
	const query = db
		.select({ id: events.id, kind: events.aggregateKind, aggregateId: events.aggregateId, seq: events.seq, payload: events.payload })
		.from(events)
		.where(and(...where))
		.orderBy(asc(events.id));
	const rows = await (options.limit ? query.limit(options.limit) : query);
	return rows.map((r) => ({ id: r.id, kind: r.kind, aggregateId: r.aggregateId, seq: r.seq, event: r.payload }));
}

/** One aggregate's events in order, as the audit and the recordings' control timeline read them. */
export async function eventsOf(db: Tx, kind: AggregateKind, aggregateId: string) {
	return db
		.select()
		.from(events)
		.where(and(eq(events.aggregateKind, kind), eq(events.aggregateId, aggregateId)))
		.orderBy(asc(events.seq));
}
