// Upgrading a site: migration 0002 moves the sessions' events (0000's `session_events`) into the one event
// log. A database is made as the release before it left it — migrations 0000–0001 only, with a session
// that today's code really ran (its rows carried over table by table) — then opened by today's code,
// which applies 0002. Every event keeps its id, sequence and hashes, the chains still verify, and the
// session goes on where it was: the next event continues its chain.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@tandem/db';
import { pgliteAsOf } from '@tandem/db/testing';
import { verifyChain } from '../src/audit/chain.ts';
import { eventsOf } from '../src/log/eventLog.ts';
import { Browser, world, worldOn } from './harness.ts';

const scratch = mkdtempSync(join(tmpdir(), 'tandem-migration-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Row = Record<string, unknown>;

describe('migration 0002 (the one event log)', () => {
	it('keeps every session event with its id, chain and hashes, and the session goes on', async () => {
		// A session as people left it: Ana started it, Marko joined.
		const today = await world('pglite');
		const ana = await today.rep('Ana');
		const session = await (await ana.api()).session.start();
		const marko = today.browser();
		await (await marko.api()).session.join({ number: session.number, name: 'Marko' });
		const auditKey = today.services.config.auditKey;
		const rowsOf = async (table: string, query = `select row_to_json(t) as r from ${table} t`) =>
			((await today.services.db.execute(query)) as unknown as { rows: { r: Row }[] }).rows.map((x) => x.r);
		const carried = {
			reps: await rowsOf('reps'),
			login_sessions: await rowsOf('login_sessions'),
			site_settings: await rowsOf('site_settings'),
			participants: await rowsOf('participants'),
		};
		const sessionRows = await rowsOf('support_sessions');
		const logged = await eventsOf(today.services.db, 'session', session.id);
		expect(logged.length).toBeGreaterThanOrEqual(2);
		const cookies = new Map(ana.cookies);
		await today.close();

		// The same data in a database of the release before: session_events, and each session's last hash.
		const dataDir = join(scratch, 'pglite');
		const old = await pgliteAsOf(dataDir, '0001_invitations');
		const put = (table: string, rows: Row[]) =>
			old.query(`insert into ${table} select * from json_populate_recordset(null::${table}, $1)`, [JSON.stringify(rows)]);
		await put('reps', carried.reps);
		await put('login_sessions', carried.login_sessions);
		await put('site_settings', carried.site_settings);
		await put(
			'support_sessions',
			sessionRows.map((s) => ({ ...s, last_hash: logged.at(-1)!.hash })),
		);
		await put('participants', carried.participants);
		await put(
			'session_events',
			logged.map((e) => ({
				id: e.id,
				session_id: e.aggregateId,
				seq: e.seq,
				type: e.type,
				payload: e.payload,
				actor: e.actor,
				at: e.at.toISOString(),
				prev_hash: e.prevHash,
				hash: e.hash,
			})),
		);
		await old.close();

		// Today's code opens it: 0002 runs.
		const handle = await openDatabase({ dataDir });
		const moved = await eventsOf(handle.db, 'session', session.id);
		expect(moved.map((e) => [e.id, e.seq, e.type, e.prevHash, e.hash])).toEqual(
			logged.map((e) => [e.id, e.seq, e.type, e.prevHash, e.hash]),
		);
		expect(verifyChain(auditKey, moved)).toBeNull();
		const tables = (await handle.db.execute(`select tablename from pg_tables where tablename = 'session_events'`)) as unknown as {
			rows: unknown[];
		};
		expect(tables.rows).toHaveLength(0);

		// The session goes on: Ana (still signed in) ends it; its chain continues, after every id it had.
		const upgraded = await worldOn(handle, auditKey);
		const again = new Browser(upgraded.services);
		for (const [k, v] of cookies) again.cookies.set(k, v);
		await (await again.api()).session.end({ sessionId: session.id });
		const after = await eventsOf(handle.db, 'session', session.id);
		expect(after.length).toBeGreaterThan(logged.length);
		expect(after.at(-1)!.type).toBe('session.ended');
		expect(after[logged.length]!.id).toBeGreaterThan(logged.at(-1)!.id);
		expect(after[logged.length]!.seq).toBe(logged.at(-1)!.seq + 1);
		expect(verifyChain(auditKey, after)).toBeNull();
		await upgraded.close();
	});
});
