// Verifying the audit log (SPEC §10): every chain of the one event log — seq 1, 2, 3… without a gap, each
// row linked to the previous row's hash, each HMAC right — then the checkpoints (signatures, their own
// chain) and that every head a checkpoint recorded, and the log's global head, is still in the database
// with the same hash. The events are read in batches in (kind, aggregate, seq) order, so memory holds one
// batch and the checkpoints' heads, never the log. The result names the first broken link: the earliest
// event (by id) that is wrong, else the first checkpoint that is. Each run is recorded in the audit folder
// (`last-verification.json`), so the admin page can say when the last verification ran, whoever ran it.

import { eq, inArray, sql } from 'drizzle-orm';
import { events, queues, reps, supportSessions, type AggregateKind } from '@tandem/db';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { chainHash, chainSubject, GENESIS } from './chain.ts';
import { CHECKPOINT_GENESIS, checkpointKey, listCheckpoints, readCheckpoint, writeFileOnce, type Checkpoint } from './checkpoints.ts';
import { formatSessionNumber } from '../session/sessionNumber.ts';
import type { Tx } from '../service/repLoad.ts';
import type { Clock } from '../time/clock.ts';

export type AuditProblem =
	/** The row's HMAC does not match its content: its content (or hash) was changed. */
	| 'hashMismatch'
	/** The row's prevHash is not the previous row's hash. */
	| 'brokenLink'
	/** A seq is missing before this row (an event was deleted from the middle or the start). */
	| 'gap'
	/** A head a checkpoint recorded is gone: the chain's end was deleted or truncated, or the whole aggregate. */
	| 'missingEvent'
	/** The row at a recorded head's seq is another event than the one recorded (deleted, then the chain went on). */
	| 'checkpointMismatch'
	/** The log's last event as a checkpoint recorded it is gone or differs. */
	| 'globalHeadMissing'
	/** A checkpoint's signature (or its name) is wrong. */
	| 'checkpointSignature'
	/** A checkpoint is missing from the checkpoints' chain, or does not link to the one before. */
	| 'checkpointChain'
	/** A checkpoint file cannot be read as one. */
	| 'checkpointUnreadable';

export interface BrokenLink {
	/** The aggregate's kind, or 'checkpoint' for a checkpoint's own problem. */
	kind: AggregateKind | 'checkpoint';
	/** The aggregate's id (a session's id for sessions); a checkpoint's file name. */
	aggregateId: string;
	/** A session's number, formatted (when the session is still known). */
	sessionNumber?: string;
	/** A rep's, an agent's or a queue's name (when known). */
	name?: string;
	/** The event's id (for a missing one, the id the checkpoint recorded); null for a checkpoint's problem. */
	eventId: number | null;
	/** The event's seq in its chain; a checkpoint's number. */
	seq: number | null;
	problem: AuditProblem;
}

export interface AuditVerification {
	ok: boolean;
	/** When it ran (ms) and how long it took. */
	at: number;
	durationMs: number;
	events: number;
	chains: number;
	checkpoints: number;
	/** When the latest checkpoint was written (ms), or null when there is none. */
	lastCheckpointAt: number | null;
	firstBroken: BrokenLink | null;
	/** How many broken links in all (one per chain at most, plus the checkpoints'). */
	problems: number;
	/** Who ran it: the command line or the admin page. */
	by: 'cli' | 'admin';
}

export interface VerifyOptions {
	db: Tx;
	auditKey: Buffer;
	/** The checkpoints' folder (none: the chains only). */
	auditDir?: string | undefined;
	clock: Clock;
	by: AuditVerification['by'];
	batchSize?: number;
}

interface Expected {
	seq: number;
	hash: string;
	eventId: number;
}

/** The order of problems found at the same event: the chain's own before the log's head. */
const rank: Record<AuditProblem, number> = {
	gap: 0,
	brokenLink: 1,
	hashMismatch: 2,
	checkpointMismatch: 3,
	missingEvent: 4,
	globalHeadMissing: 5,
	checkpointUnreadable: 6,
	checkpointSignature: 7,
	checkpointChain: 8,
};

/** Every checkpoint from the latest full snapshot on: their problems and the heads of those that verify. */
export function readCheckpoints(dir: string, auditKey: Buffer): { checkpoints: Checkpoint[]; problems: BrokenLink[] } {
	const key = checkpointKey(auditKey);
	for (let attempt = 0; ; attempt++) {
		const files = listCheckpoints(dir);
		const fullAt = files.findLastIndex((f) => f.kind === 'full');
		const current = files.slice(Math.max(fullAt, 0));
		const checkpoints: Checkpoint[] = [];
		const problems: BrokenLink[] = [];
		let vanished = false;
		let previous: Checkpoint | null = null;
		for (const f of current) {
			const read = readCheckpoint(dir, f.file, key);
			if (!read) {
				vanished = true; // a snapshot was being made: its older files went meanwhile
				break;
			}
			const { checkpoint, problem } = read;
			const link = { kind: 'checkpoint' as const, aggregateId: f.file, eventId: null, seq: f.n };
			if (problem) problems.push({ ...link, problem });
			else if (
				previous === null
					? checkpoint.header.kind !== 'full' && checkpoint.header.prev !== CHECKPOINT_GENESIS
					: checkpoint.header.prev !== previous.signature || f.n !== previous.header.n + 1
			)
				problems.push({ ...link, problem: 'checkpointChain' });
			if (!problem) checkpoints.push(checkpoint);
			previous = checkpoint;
		}
		if (!vanished || attempt >= 2) return { checkpoints, problems };
	}
}

/** Verifies the whole log and the checkpoints. */
export async function verifyAudit(options: VerifyOptions): Promise<AuditVerification> {
	const { db, auditKey, clock } = options;
	const started = performance.now();
	const at = clock.now();
	const batchSize = options.batchSize ?? 5_000;
	const { checkpoints, problems: checkpointProblems } = options.auditDir
		? readCheckpoints(options.auditDir, auditKey)
		: { checkpoints: [], problems: [] };

	// What the checkpoints recorded, per chain.
	const expected = new Map<string, Expected[]>();
	for (const c of checkpoints) {
		for (const [kind, aggregateId, seq, hash, eventId] of c.heads) {
			const key = `${kind}\n${aggregateId}`;
			const list = expected.get(key);
			if (list) list.push({ seq, hash, eventId });
			else expected.set(key, [{ seq, hash, eventId }]);
		}
	}

	const problems: BrokenLink[] = [];
	let eventCount = 0;
	let chains = 0;
	// The chain being read.
	let kind: AggregateKind | null = null;
	let aggregateId = '';
	let subject = '';
	let lastSeq = 0;
	let prev = GENESIS;
	let broken = false;
	let awaited: Expected[] = [];
	/** The hashes seen at the seqs the checkpoints recorded for this chain. */
	let found = new Map<number, { hash: string; id: number }>();

	const endChain = () => {
		if (kind === null) return;
		chains++;
		const key = `${kind}\n${aggregateId}`;
		for (const e of awaited.sort((a, b) => a.seq - b.seq)) {
			const row = found.get(e.seq);
			if (row?.hash === e.hash) continue;
			problems.push({ kind, aggregateId, eventId: e.eventId, seq: e.seq, problem: row ? 'checkpointMismatch' : 'missingEvent' });
			break;
		}
		expected.delete(key);
	};

	let after: { kind: string; aggregateId: string; seq: number } | null = null;
	for (;;) {
		const rows = await eventsInChainOrder(db, after, batchSize);
		for (const row of rows) {
			eventCount++;
			if (row.kind !== kind || row.aggregateId !== aggregateId) {
				endChain();
				kind = row.kind;
				aggregateId = row.aggregateId;
				subject = chainSubject(kind, aggregateId);
				lastSeq = 0;
				prev = GENESIS;
				broken = false;
				awaited = expected.get(`${kind}\n${aggregateId}`) ?? [];
				found = new Map();
			}
			const id = Number(row.id);
			if (awaited.length && awaited.some((e) => e.seq === row.seq)) found.set(row.seq, { hash: row.hash, id });
			if (broken) continue;
			const problem: AuditProblem | null =
				row.seq !== lastSeq + 1
					? 'gap'
					: row.prevHash !== prev
						? 'brokenLink'
						: chainHash(auditKey, prev, { subject, seq: row.seq, type: row.type, payload: row.payload, actor: row.actor, at: row.at }) !==
							  row.hash
							? 'hashMismatch'
							: null;
			if (problem) {
				problems.push({ kind, aggregateId, eventId: id, seq: row.seq, problem });
				broken = true; // one broken link per chain: what follows it cannot be trusted either
				continue;
			}
			lastSeq = row.seq;
			prev = row.hash;
		}
		if (rows.length < batchSize) break;
		const last = rows.at(-1)!;
		after = { kind: last.kind, aggregateId: last.aggregateId, seq: last.seq };
	}
	endChain();

	// Chains a checkpoint recorded of which nothing is left.
	for (const [key, list] of expected) {
		const [k, id] = key.split('\n') as [AggregateKind, string];
		const first = list.sort((a, b) => a.seq - b.seq)[0]!;
		problems.push({ kind: k, aggregateId: id, eventId: first.eventId, seq: first.seq, problem: 'missingEvent' });
	}

	// The log's global heads, as the checkpoints recorded them.
	const heads = new Map(checkpoints.map((c) => [c.header.global.id, c.header.global.hash]));
	const ids = [...heads.keys()];
	for (let i = 0; i < ids.length; i += 1_000) {
		const batch = ids.slice(i, i + 1_000);
		const rows = await db
			.select({ id: events.id, kind: events.aggregateKind, aggregateId: events.aggregateId, seq: events.seq, hash: events.hash })
			.from(events)
			.where(inArray(events.id, batch));
		const stored = new Map(rows.map((r) => [Number(r.id), r]));
		for (const id of batch) {
			const row = stored.get(id);
			if (row?.hash === heads.get(id)) continue;
			const recorded = checkpoints.find((c) => c.header.global.id === id)!;
			const head = recorded.heads.find((h) => h[4] === id);
			problems.push({
				kind: row?.kind ?? head?.[0] ?? 'checkpoint',
				aggregateId: row?.aggregateId ?? head?.[1] ?? recorded.file,
				eventId: id,
				seq: row?.seq ?? head?.[2] ?? null,
				problem: 'globalHeadMissing',
			});
		}
	}

	problems.sort((a, b) => (a.eventId ?? Infinity) - (b.eventId ?? Infinity) || rank[a.problem] - rank[b.problem]);
	const all = [...problems, ...checkpointProblems];
	const firstBroken = all[0] ? await described(db, all[0]) : null;
	const latest = checkpoints.at(-1);
	return {
		ok: all.length === 0,
		at,
		durationMs: Math.round(performance.now() - started),
		events: eventCount,
		chains,
		checkpoints: checkpoints.length,
		lastCheckpointAt: latest ? Date.parse(latest.header.at) : null,
		firstBroken,
		problems: all.length,
		by: options.by,
	};
}

/** The next batch of events in (kind, aggregate, seq) order, after a position in that order. */
function eventsInChainOrder(db: Tx, after: { kind: string; aggregateId: string; seq: number } | null, limit: number) {
	return db
		.select({
			id: events.id,
			kind: events.aggregateKind,
			aggregateId: events.aggregateId,
			seq: events.seq,
			type: events.type,
			payload: events.payload,
			actor: events.actor,
			at: events.at,
			prevHash: events.prevHash,
			hash: events.hash,
		})
		.from(events)
		.where(
			after
				? sql`(${events.aggregateKind}, ${events.aggregateId}, ${events.seq}) > (${after.kind}, ${after.aggregateId}, ${after.seq})`
				: undefined,
		)
		.orderBy(events.aggregateKind, events.aggregateId, events.seq)
		.limit(limit);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The broken link with what people know it by: a session's number, a rep's or a queue's name. */
async function described(db: Tx, link: BrokenLink): Promise<BrokenLink> {
	if (!UUID.test(link.aggregateId)) return link;
	if (link.kind === 'session') {
		const [row] = await db.select({ number: supportSessions.number }).from(supportSessions).where(eq(supportSessions.id, link.aggregateId));
		return row ? { ...link, sessionNumber: formatSessionNumber(row.number) } : link;
	}
	if (link.kind === 'rep' || link.kind === 'agent') {
		const [row] = await db.select({ name: reps.name }).from(reps).where(eq(reps.id, link.aggregateId));
		return row ? { ...link, name: row.name } : link;
	}
	if (link.kind === 'queue') {
		const [row] = await db.select({ name: queues.name }).from(queues).where(eq(queues.id, link.aggregateId));
		return row ? { ...link, name: row.name } : link;
	}
	return link;
}

const LAST_VERIFICATION = 'last-verification.json';

/** Records a run's result in the audit folder (replacing the last one). */
export function recordVerification(dir: string, result: AuditVerification): void {
	writeFileOnce(dir, LAST_VERIFICATION, JSON.stringify(result, null, '\t') + '\n', { replace: true });
}

/** The last run's result, as recorded (null when none ran, or the record cannot be read). */
export function lastVerification(dir: string): AuditVerification | null {
	try {
		return JSON.parse(readFileSync(join(dir, LAST_VERIFICATION), 'utf8')) as AuditVerification;
	} catch {
		return null;
	}
}

const aggregateWords: Record<BrokenLink['kind'], string> = {
	session: 'session',
	rep: 'rep account',
	agent: 'agent',
	queue: 'queue',
	site: 'site settings',
	checkpoint: 'checkpoint',
};

export const problemWords: Record<AuditProblem, string> = {
	hashMismatch: "the event's content or hash was changed: its HMAC does not match",
	brokenLink: "the event does not link to the previous event's hash",
	gap: 'an event before it is missing (a gap in the sequence)',
	missingEvent: 'an event a checkpoint recorded is missing: the chain was truncated or deleted',
	checkpointMismatch: 'the event differs from the one a checkpoint recorded: the chain was cut and went on',
	globalHeadMissing: "the log's last event as a checkpoint recorded it is missing or differs",
	checkpointSignature: "the checkpoint's signature does not match",
	checkpointChain: 'the checkpoint does not follow the one before it (one is missing or replaced)',
	checkpointUnreadable: 'the checkpoint cannot be read',
};

/** The broken link in plain words (the command line's; the page words it in the reader's language). */
export function describeBrokenLink(link: BrokenLink): string {
	const what =
		link.kind === 'checkpoint'
			? `checkpoint ${link.seq} (${link.aggregateId})`
			: link.kind === 'session'
				? `session ${link.sessionNumber ? `${link.sessionNumber} (${link.aggregateId})` : link.aggregateId}`
				: link.kind === 'site'
					? 'site settings'
					: `${aggregateWords[link.kind]} ${link.name ? `${link.name} (${link.aggregateId})` : link.aggregateId}`;
	const where = link.eventId !== null ? `, event ${link.eventId} (seq ${link.seq})` : '';
	return `${what}${where}: ${link.problem} — ${problemWords[link.problem]}`;
}
