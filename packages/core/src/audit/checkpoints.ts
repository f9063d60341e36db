// Signed checkpoints of the audit chains' heads (SPEC §10). The HMAC chain of each aggregate catches a row
// rewritten without the key, but not rows taken off a chain's end: those leave a shorter chain that still
// verifies. Every few seconds one node (the holder of a lease) writes, to a folder outside the database's,
// the heads of the chains that changed since the last checkpoint — kind, aggregate id, seq, hash and event
// id — and the log's global head (its last id and hash), signed with a key derived from the audit key and
// chained to the previous checkpoint's signature. Verification then finds every recorded head still in the
// database with the same hash, so deleting or truncating anything older than the latest checkpoint is
// detected: the window is the checkpoint interval.
//
// Files stay few: a checkpoint is a `delta` (the heads that changed) or, now and then, a `full` snapshot that
// merges the last snapshot and the deltas since (never read from the database, which would launder a
// deletion) — after which the older files go. A file is JSON lines: a header, one line per head, and the
// signature line, an HMAC over every byte before it. Written to a temporary file, fsynced, then linked to
// its name (which fails if another node took that number meanwhile), and the folder fsynced.

import { createHmac, timingSafeEqual } from 'node:crypto';
import {
	closeSync,
	fsyncSync,
	linkSync,
	mkdirSync,
	openSync,
	readdirSync,
	readFileSync,
	readSync,
	renameSync,
	rmSync,
	writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { and, asc, desc, gt, lte, sql } from 'drizzle-orm';
import { events, type AggregateKind, type Database } from '@tandem/db';
import type { Lease } from '../effects/lease.ts';
import type { Tx } from '../service/repLoad.ts';
import { sleepOn, type Clock } from '../time/clock.ts';

export const CHECKPOINT_GENESIS = 'genesis';
/** A new full snapshot after this many deltas (an hour at the default interval). */
export const COMPACT_AFTER_DELTAS = 360;

/** A chain's head as a checkpoint records it: [kind, aggregate id, seq, hash, event id]. */
export type RecordedHead = [kind: AggregateKind, aggregateId: string, seq: number, hash: string, eventId: number];

export interface CheckpointHeader {
	v: 1;
	/** 1, 2, 3…: the checkpoints' own sequence. */
	n: number;
	/** ISO time of writing (the clock's). */
	at: string;
	/** A full snapshot of every head, or the heads that changed since checkpoint n-1. */
	kind: 'full' | 'delta';
	/** The previous checkpoint's signature (the genesis for the first). */
	prev: string;
	/** The log's last event when written. */
	global: { id: number; hash: string };
	/** How many head lines follow. */
	heads: number;
}

export interface Checkpoint {
	file: string;
	header: CheckpointHeader;
	heads: RecordedHead[];
	signature: string;
}

const FILE = /^checkpoint-(\d{12})-(full|delta)\.json$/;
export const checkpointFileName = (n: number, kind: 'full' | 'delta') => `checkpoint-${String(n).padStart(12, '0')}-${kind}.json`;

/** The checkpoints' key: derived from the audit key, so a checkpoint's HMAC is never an event's. */
export function checkpointKey(auditKey: Buffer): Buffer {
	return createHmac('sha256', auditKey).update('tandem audit checkpoint v1').digest();
}

const sign = (key: Buffer, bytes: string) => createHmac('sha256', key).update(bytes).digest('hex');

/** The checkpoint files in `dir`, oldest first (an absent folder has none). */
export function listCheckpoints(dir: string): { file: string; n: number; kind: 'full' | 'delta' }[] {
	let names: string[];
	try {
		names = readdirSync(dir);
	} catch {
		return [];
	}
	return names
		.map((file) => {
			const m = FILE.exec(file);
			return m ? { file, n: Number(m[1]), kind: m[2] as 'full' | 'delta' } : null;
		})
		.filter((f) => f !== null)
		.sort((a, b) => a.n - b.n);
}

export type CheckpointReadProblem = 'checkpointUnreadable' | 'checkpointSignature';

/** Reads and checks one checkpoint file: its signature over every byte before it, and its name. */
export function readCheckpoint(
	dir: string,
	file: string,
	key: Buffer,
): { checkpoint: Checkpoint; problem: CheckpointReadProblem | null } | null {
	let text: string;
	try {
		text = readFileSync(join(dir, file), 'utf8');
	} catch {
		return null;
	}
	const end = text.lastIndexOf('\n', text.length - 2);
	const body = text.slice(0, end + 1);
	try {
		const lines = body.split('\n');
		lines.pop();
		const header = JSON.parse(lines[0]!) as CheckpointHeader;
		const heads = lines.slice(1).map((l) => JSON.parse(l) as RecordedHead);
		const { signature } = JSON.parse(text.slice(end + 1)) as { signature: string };
		const m = FILE.exec(file);
		const valid =
			typeof signature === 'string' &&
			signature.length === 64 &&
			timingSafeEqual(Buffer.from(sign(key, body)), Buffer.from(signature)) &&
			header.v === 1 &&
			m !== null &&
			Number(m[1]) === header.n &&
			m[2] === header.kind &&
			heads.length === header.heads;
		return { checkpoint: { file, header, heads, signature }, problem: valid ? null : 'checkpointSignature' };
	} catch {
		return {
			checkpoint: {
				file,
				header: { v: 1, n: Number(FILE.exec(file)?.[1] ?? 0), at: '', kind: 'delta', prev: '', global: { id: 0, hash: '' }, heads: 0 },
				heads: [],
				signature: '',
			},
			problem: 'checkpointUnreadable',
		};
	}
}

/** Just the header (the first line) of a checkpoint file: its time, number and kind — not checked. */
export function peekCheckpoint(dir: string, file: string): CheckpointHeader | null {
	try {
		const fd = openSync(join(dir, file), 'r');
		try {
			const buffer = Buffer.alloc(4096);
			const read = readSync(fd, buffer);
			const text = buffer.subarray(0, read).toString('utf8');
			return JSON.parse(text.slice(0, text.indexOf('\n'))) as CheckpointHeader;
		} finally {
			closeSync(fd);
		}
	} catch {
		return null;
	}
}

/** When the latest checkpoint was written (ms), or null when there is none. */
export function latestCheckpointAt(dir: string): number | null {
	const latest = listCheckpoints(dir).at(-1);
	const header = latest ? peekCheckpoint(dir, latest.file) : null;
	return header ? Date.parse(header.at) : null;
}

/** Writes `name` in `dir` whole or not at all, never over another file; false when the name is taken. */
export function writeFileOnce(dir: string, name: string, content: string, options: { replace?: boolean } = {}): boolean {
	mkdirSync(dir, { recursive: true });
	const temp = join(dir, `.${name}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
	const fd = openSync(temp, 'wx', 0o600);
	try {
		writeSync(fd, content);
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
	try {
		if (options.replace) {
			// rename replaces atomically: a reader sees the old content or the new, never half.
			renameSync(temp, join(dir, name));
		} else {
			try {
				linkSync(temp, join(dir, name));
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
				throw error;
			}
		}
	} finally {
		rmSync(temp, { force: true });
	}
	const dirFd = openSync(dir, 'r');
	try {
		fsyncSync(dirFd);
	} finally {
		closeSync(dirFd);
	}
	return true;
}

/** The text of a checkpoint file: header, heads, then the signature over all of that. */
export function checkpointText(key: Buffer, header: CheckpointHeader, heads: readonly RecordedHead[]): { text: string; signature: string } {
	let body = JSON.stringify(header) + '\n';
	for (const head of heads) body += JSON.stringify(head) + '\n';
	const signature = sign(key, body);
	return { text: body + JSON.stringify({ signature }) + '\n', signature };
}

/** The heads of every chain that changed in (after, upTo]: for each, its last event in that range. */
export async function headsBetween(db: Tx, after: number, upTo: number): Promise<RecordedHead[]> {
	const rows = await db
		.selectDistinctOn([events.aggregateKind, events.aggregateId], {
			kind: events.aggregateKind,
			aggregateId: events.aggregateId,
			seq: events.seq,
			hash: events.hash,
			id: events.id,
		})
		.from(events)
		.where(and(gt(events.id, after), lte(events.id, upTo)))
		.orderBy(asc(events.aggregateKind), asc(events.aggregateId), desc(events.seq));
	return rows.map((r) => [r.kind, r.aggregateId, r.seq, r.hash, Number(r.id)]);
}

/** The log's last event: its id and hash (null when the log is empty). */
export async function globalHead(db: Tx): Promise<{ id: number; hash: string } | null> {
	const [row] = await db.select({ id: events.id, hash: events.hash }).from(events).orderBy(desc(events.id)).limit(1);
	return row ? { id: Number(row.id), hash: row.hash } : null;
}

/** What the writer knows of the folder: the latest checkpoint and the deltas since the last snapshot. */
interface WriterState {
	n: number;
	signature: string;
	globalId: number;
	/** The last full snapshot's number and size, and what the deltas since it hold. */
	fullN: number;
	fullHeads: number;
	deltas: number;
	deltaHeads: number;
}

export interface CheckpointWriterOptions {
	db: Database;
	auditKey: Buffer;
	dir: string;
	clock: Clock;
	/** How often to write (ms). */
	intervalMs: number;
	/** Several nodes: only the holder writes. None: this node always does. */
	lease?: Lease;
	/** A full snapshot after this many deltas (COMPACT_AFTER_DELTAS when absent). */
	compactAfter?: number;
}

export interface WrittenCheckpoint {
	n: number;
	kind: 'full' | 'delta';
	at: number;
	heads: number;
	globalId: number;
}

export class CheckpointWriter {
	private readonly options: CheckpointWriterOptions;
	private readonly key: Buffer;
	private state: WriterState | null = null;
	private running: Promise<void> | null = null;
	private writing: Promise<WrittenCheckpoint | null> | null = null;
	private stopped = false;
	private wake: (() => void) | null = null;

	constructor(options: CheckpointWriterOptions) {
		this.options = options;
		this.key = checkpointKey(options.auditKey);
	}

	get dir(): string {
		return this.options.dir;
	}

	/** Writes one checkpoint now when the log moved since the last (and this node holds the lease). */
	writeNow(): Promise<WrittenCheckpoint | null> {
		this.writing ??= this.write().finally(() => (this.writing = null));
		return this.writing;
	}

	start(): void {
		this.running ??= (async () => {
			while (!this.stopped) {
				// A fake clock's sleep when it has one; else a timer that neither keeps the process up nor outlives close().
				await new Promise<void>((resolve) => {
					const timer = this.options.clock.sleep ? null : setTimeout(resolve, this.options.intervalMs);
					timer?.unref?.();
					if (!timer) void sleepOn(this.options.clock, this.options.intervalMs).then(resolve);
					this.wake = () => {
						if (timer) clearTimeout(timer);
						resolve();
					};
				});
				if (this.stopped) break;
				try {
					await this.writeNow();
				} catch (error) {
					console.error('audit: could not write a checkpoint; trying again', error);
				}
			}
		})();
	}

	/** Stops; a node that was writing checkpoints writes a last one first (the window closes at shutdown). */
	async close(): Promise<void> {
		const started = this.running !== null;
		this.stopped = true;
		this.wake?.();
		await this.running;
		await this.writing?.catch(() => undefined);
		if (started) await this.writeNow().catch((error: unknown) => console.error('audit: could not write the last checkpoint', error));
		await this.options.lease?.release().catch(() => undefined);
	}

	private async write(): Promise<WrittenCheckpoint | null> {
		const { db, dir, clock, lease } = this.options;
		if (lease && !(await lease.hold())) {
			this.state = null; // another node writes: read the folder again when this one takes over
			return null;
		}
		const state = this.currentState();
		const head = await globalHead(db);
		// Nothing new (or the log is shorter than recorded: nothing to add; verification reports it).
		if (!head || head.id <= (state?.globalId ?? 0)) return null;
		const changed = await headsBetween(db, state?.globalId ?? 0, head.id);
		const n = (state?.n ?? 0) + 1;
		const compact =
			state !== null &&
			(state.deltas + 1 >= (this.options.compactAfter ?? COMPACT_AFTER_DELTAS) ||
				state.deltaHeads + changed.length > Math.max(state.fullHeads, 10_000));
		const merged = compact ? await this.merged(state, changed) : null;
		const kind: 'full' | 'delta' = state === null || merged ? 'full' : 'delta';
		const heads = merged ?? changed;
		const at = clock.now();
		const header: CheckpointHeader = {
			v: 1,
			n,
			at: new Date(at).toISOString(),
			kind,
			prev: state?.signature ?? CHECKPOINT_GENESIS,
			global: head,
			heads: heads.length,
		};
		const { text, signature } = checkpointText(this.key, header, heads);
		if (!writeFileOnce(dir, checkpointFileName(n, kind), text)) {
			// Another node wrote number n meanwhile (its lease ran out under us): read the folder again next time.
			this.state = null;
			return null;
		}
		this.state =
			kind === 'full'
				? { n, signature, globalId: head.id, fullN: n, fullHeads: heads.length, deltas: 0, deltaHeads: 0 }
				: { ...state!, n, signature, globalId: head.id, deltas: state!.deltas + 1, deltaHeads: state!.deltaHeads + heads.length };
		if (merged) for (const f of listCheckpoints(dir)) if (f.n < n) rmSync(join(dir, f.file), { force: true });
		return { n, kind, at, heads: heads.length, globalId: head.id };
	}

	/** What the folder says (read again when another node may have written since). */
	private currentState(): WriterState | null {
		const files = listCheckpoints(this.options.dir);
		const latest = files.at(-1);
		if (!latest) return (this.state = null);
		if (this.state?.n === latest.n) return this.state;
		const read = readCheckpoint(this.options.dir, latest.file, this.key);
		if (!read) return (this.state = null);
		if (read.problem)
			console.error(
				`audit: the latest checkpoint ${latest.file} does not verify (${read.problem}); the next one is chained to it all the same`,
			);
		const full = [...files].reverse().find((f) => f.kind === 'full');
		const deltas = files.filter((f) => f.n > (full?.n ?? 0));
		const deltaHeads = deltas.reduce((sum, f) => sum + (peekCheckpoint(this.options.dir, f.file)?.heads ?? 0), 0);
		this.state = {
			n: latest.n,
			signature: read.checkpoint.signature,
			globalId: read.checkpoint.header.global.id,
			fullN: full?.n ?? 0,
			fullHeads: full ? (peekCheckpoint(this.options.dir, full.file)?.heads ?? 0) : 0,
			deltas: deltas.length,
			deltaHeads,
		};
		return this.state;
	}

	/**
	 * A full snapshot: the last snapshot and every delta since, then `changed` — each chain's latest head. An
	 * older head is dropped only when the database still holds it (the chain grew past it); one that is gone or
	 * differs stays in the snapshot, so the next verification still reports it. Null (no compaction now) when
	 * a file to merge does not verify: a tampered checkpoint is never signed again.
	 */
	private async merged(state: WriterState, changed: RecordedHead[]): Promise<RecordedHead[] | null> {
		const { dir } = this.options;
		const files = listCheckpoints(dir).filter((f) => f.n >= state.fullN);
		const all: RecordedHead[] = [];
		for (const f of files) {
			const read = readCheckpoint(dir, f.file, this.key);
			if (!read || read.problem) {
				console.error(`audit: checkpoint ${f.file} does not verify; no snapshot is made over it`);
				return null;
			}
			all.push(...read.checkpoint.heads);
		}
		all.push(...changed);
		const latest = new Map<string, RecordedHead>();
		for (const h of all) latest.set(`${h[0]}\n${h[1]}`, h);
		const keep: RecordedHead[] = [...latest.values()];
		const toCheck: RecordedHead[] = [];
		const seen = new Set(keep);
		for (const h of all) {
			if (seen.has(h)) continue;
			const newest = latest.get(`${h[0]}\n${h[1]}`)!;
			if (newest[2] === h[2] && newest[3] === h[3]) continue;
			if (newest[2] > h[2]) toCheck.push(h);
			else keep.push(h); // the chain is at or below a recorded head with another hash: a rewrite
			seen.add(h);
		}
		for (let i = 0; i < toCheck.length; i += 1_000) {
			const batch = toCheck.slice(i, i + 1_000);
			const rows = await this.options.db
				.select({ kind: events.aggregateKind, aggregateId: events.aggregateId, seq: events.seq, hash: events.hash })
				.from(events)
				.where(
					sql`(${events.aggregateKind}, ${events.aggregateId}, ${events.seq}) in (${sql.join(
						batch.map((h) => sql`(${h[0]}, ${h[1]}, ${h[2]})`),
						sql`, `,
					)})`,
				);
			const stored = new Map(rows.map((r) => [`${r.kind}\n${r.aggregateId}\n${r.seq}`, r.hash]));
			for (const h of batch) if (stored.get(`${h[0]}\n${h[1]}\n${h[2]}`) !== h[3]) keep.push(h);
		}
		return keep;
	}
}
