// The audit chain: each session event carries an HMAC over its content and the previous event's
// HMAC, with a key kept outside the database — rewriting rows without the key is detected (SPEC §10).

import { createHmac } from 'node:crypto';

export const GENESIS = 'genesis';

export interface ChainedFields {
	sessionId: string;
	seq: number;
	type: string;
	payload: unknown;
	actor: string;
	at: Date;
}

export function chainHash(key: Buffer | string, prevHash: string, row: ChainedFields): string {
	return createHmac('sha256', key)
		.update(prevHash)
		.update('\n')
		.update(JSON.stringify([row.sessionId, row.seq, row.type, canonical(row.payload), row.actor, row.at.toISOString()]))
		.digest('hex');
}

/** Verify a session's events in order; returns the seq of the first broken link, or null. */
export function verifyChain(key: Buffer | string, rows: readonly (ChainedFields & { prevHash: string; hash: string })[]): number | null {
	let prev = GENESIS;
	for (const row of rows) {
		if (row.prevHash !== prev || chainHash(key, prev, row) !== row.hash) return row.seq;
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
