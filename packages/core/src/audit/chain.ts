// The audit chain: each event of an aggregate carries an HMAC over its content and the previous event's
// HMAC, with a key kept outside the database — rewriting rows without the key is detected (SPEC §10).

import { createHmac } from 'node:crypto';

export const GENESIS = 'genesis';

export interface ChainedFields {
	/** Whose chain this is: see chainSubject. */
	subject: string;
	seq: number;
	type: string;
	payload: unknown;
	actor: string;
	at: Date;
}

/**
 * The name an aggregate's chain is hashed under. Sessions' chains predate the log's other kinds and keep
 * their bare id, so events recorded before the one log still verify.
 */
export const chainSubject = (kind: string, aggregateId: string): string => (kind === 'session' ? aggregateId : `${kind}:${aggregateId}`);

export function chainHash(key: Buffer | string, prevHash: string, row: ChainedFields): string {
	return createHmac('sha256', key)
		.update(prevHash)
		.update('\n')
		.update(JSON.stringify([row.subject, row.seq, row.type, canonical(row.payload), row.actor, row.at.toISOString()]))
		.digest('hex');
}

/** A row of the event log, as verification reads it. */
export interface LogRow {
	aggregateKind: string;
	aggregateId: string;
	seq: number;
	type: string;
	payload: unknown;
	actor: string;
	at: Date;
	prevHash: string;
	hash: string;
}

/** Verify one aggregate's events in order; returns the seq of the first broken link, or null. */
export function verifyChain(key: Buffer | string, rows: readonly LogRow[]): number | null {
	let prev = GENESIS;
	for (const row of rows) {
		const fields = { subject: chainSubject(row.aggregateKind, row.aggregateId), ...row };
		if (row.prevHash !== prev || chainHash(key, prev, fields) !== row.hash) return row.seq;
		prev = row.hash;
	}
	return null;
}

/** JSON with object keys sorted, so a jsonb round trip (which reorders keys) hashes the same. */
function canonical(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(canonical);
	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.keys(value)
				.sort()
				.map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
		);
	}
	return value;
}
