// PGlite works in the server's own thread: while a queue of queries drains, nothing else runs — not even the
// accept of a new customer's connection (issue "Hold under attack", finding 8). The database gives the event
// loop a turn every few milliseconds of work.

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/database.ts';

describe('PGlite under a queue of work', () => {
	let handle: DatabaseHandle;
	beforeAll(async () => {
		handle = await openDatabase({ dataDir: 'memory://' });
	});
	afterAll(() => handle?.close());

	it('lets the event loop turn while 400 queued queries drain, and keeps their order', async () => {
		let turns = 0;
		let counting = true;
		const count = () => {
			turns++;
			if (counting) setImmediate(count);
		};
		setImmediate(count);
		const started = performance.now();
		const done: number[] = [];
		await Promise.all(
			Array.from({ length: 400 }, (_, i) =>
				handle.db.execute(sql`select generate_series(1, 200) as n, repeat('x', 200) as pad`).then(() => done.push(i)),
			),
		);
		counting = false;
		const ms = performance.now() - started;
		// Every few milliseconds of database work, a turn: well over one per 20 ms (without it: one in all).
		expect(turns).toBeGreaterThan(ms / 20);
		expect(done).toEqual([...done].sort((a, b) => a - b));
	});
});
