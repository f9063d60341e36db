// The event log's cursor cannot skip (ARCHITECTURE principle 3): on PostgreSQL, transactions that append
// at the same moment commit their ids in order, so a reader that resumes after the last id it saw never
// misses an event committed late, nor sees one twice. Writers here interleave on purpose: each holds its
// transaction open for a few turns of the event loop after appending, while a reader polls all along.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { freshDatabase } from '@tandem/db/testing';
import type { DatabaseHandle } from '@tandem/db';
import type {} from '../../db/test/postgresServer.ts';
import { verifyChain } from '../src/audit/chain.ts';
import { appendToLog, eventsAfter, eventsOf, logPosition } from '../src/log/eventLog.ts';

const auditKey = randomBytes(32);
const turns = (n: number) => new Promise<void>((r) => (n <= 0 ? r() : setImmediate(() => void turns(n - 1).then(r))));

describe('the event log on PostgreSQL', () => {
	let handle: DatabaseHandle;
	beforeAll(async () => {
		handle = await freshDatabase('postgres', inject('postgresBaseUrl'));
	});
	afterAll(() => handle?.close());

	async function append(aggregateId: string, n: number, holdTurns: number): Promise<number[]> {
		return handle.db.transaction(async (tx) => {
			const at = Date.now();
			const logged = await appendToLog(
				tx,
				{ dbKind: 'postgres', auditKey, kind: 'session', aggregateId, actor: 'system' },
				Array.from({ length: n }, (_, i) => ({ type: 'test.happened', at, i })),
			);
			// Still open: another writer's append and the reader run meanwhile.
			await turns(holdTurns);
			return logged.map((e) => e.id);
		});
	}

	it('a reader resuming after the last id it saw misses nothing and sees nothing twice, under interleaved commits', async () => {
		const WRITERS = 8;
		const TRANSACTIONS = 25;
		const start = await logPosition(handle.db);
		const seen: number[] = [];
		let writing = true;
		const reader = (async () => {
			let cursor = start;
			for (;;) {
				const done = !writing; // read once more after the last commit
				const batch = await eventsAfter(handle.db, cursor, { limit: 37 });
				for (const e of batch) seen.push(e.id);
				if (batch.length) cursor = batch.at(-1)!.id;
				else if (done) return;
				else await turns(1);
			}
		})();
		const written = (
			await Promise.all(
				Array.from({ length: WRITERS }, async (_, w) => {
					const ids: number[] = [];
					for (let t = 0; t < TRANSACTIONS; t++) ids.push(...(await append(`s-${w}`, 1 + ((w + t) % 3), (w * 7 + t * 3) % 11)));
					return ids;
				}),
			)
		).flat();
		writing = false;
		await reader;

		expect(written.length).toBeGreaterThan(WRITERS * TRANSACTIONS);
		expect(seen, 'every committed event, once, in id order').toEqual([...written].sort((a, b) => a - b));
		// Each aggregate's own chain is whole.
		for (let w = 0; w < WRITERS; w++) {
			const rows = await eventsOf(handle.db, 'session', `s-${w}`);
			expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
			expect(verifyChain(auditKey, rows)).toBeNull();
		}
	});

	it('an append held open keeps a later one from committing ahead of it', async () => {
		let release!: () => void;
		const held = new Promise<void>((r) => (release = r));
		let appended!: () => void;
		const firstAppended = new Promise<void>((r) => (appended = r));
		const before = await logPosition(handle.db);
		const first = handle.db.transaction(async (tx) => {
			const ids = await appendToLog(tx, { dbKind: 'postgres', auditKey, kind: 'session', aggregateId: 'early', actor: 'system' }, [
				{ type: 'test.happened', at: Date.now() },
			]);
			appended();
			await held;
			return ids[0]!.id;
		});
		await firstAppended;
		let secondDone = false;
		const second = append('late', 1, 0).then((ids) => {
			secondDone = true;
			return ids[0]!;
		});
		// However long the first stays open, the reader sees nothing of the second before the first.
		for (let i = 0; i < 20; i++) {
			await turns(5);
			expect(await eventsAfter(handle.db, before)).toEqual([]);
		}
		expect(secondDone).toBe(false);
		release();
		const [a, b] = await Promise.all([first, second]);
		expect(a).toBeLessThan(b);
		expect((await eventsAfter(handle.db, before)).map((e) => e.id)).toEqual([a, b]);
	});
});
