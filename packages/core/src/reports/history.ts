// The session history (SPEC §10): the sessions a rep took part in (an administrator: all), newest first,
// filtered by date, rep, queue, customer name or number, a page at a time by keyset — (started_at, id)
// below the last row seen, on the index `support_sessions_started_idx` — so a page costs the same on
// the first page as on the thousandth, with 100,000 sessions.

import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { parseSessionNumber } from '../session/sessionNumber.ts';
import type { Tx } from '../service/repLoad.ts';

export const HISTORY_PAGE_MAX = 100;

/** Where a page ends: the last row's start and id, opaque to the pages. */
const cursor = z
	.string()
	.max(200)
	.transform((text, ctx) => {
		try {
			const [at, id] = JSON.parse(Buffer.from(text, 'base64url').toString()) as unknown[];
			const parsed = z.tuple([z.iso.datetime({ offset: true }), z.uuid()]).parse([at, id]);
			return { startedAt: parsed[0], id: parsed[1] };
		} catch {
			ctx.addIssue({ code: 'custom', message: 'invalidCursor' });
			return z.NEVER;
		}
	});

export const cursorOf = (row: { startedAt: string; id: string }): string =>
	Buffer.from(JSON.stringify([row.startedAt, row.id])).toString('base64url');

/** What the history is filtered by: one definition for the API, the exports and the pages' forms. */
export const historyFilter = z
	.object({
		from: z.iso.datetime({ offset: true }).optional(),
		to: z.iso.datetime({ offset: true }).optional(),
		repId: z.uuid().optional(),
		queueId: z.uuid().optional(),
		/** A part of a customer's name, any case. */
		customer: z.string().trim().max(100).optional(),
		/** A session number as people type it (spaces and dashes allowed). */
		number: z
			.string()
			.max(20)
			.transform((typed, ctx) => {
				const number = parseSessionNumber(typed);
				if (!number) ctx.addIssue({ code: 'custom', message: 'invalidSessionNumber' });
				return number ?? z.NEVER;
			})
			.optional(),
	})
	.refine((f) => !f.from || !f.to || f.from <= f.to, { message: 'invalidDateRange', path: ['to'] });

export type HistoryFilter = z.output<typeof historyFilter>;

export const historyPage = z.object({
	filter: historyFilter.default({}),
	pageSize: z.number().int().min(1).max(HISTORY_PAGE_MAX).default(25),
	after: cursor.optional(),
});
export type HistoryPageInput = z.input<typeof historyPage>;

export interface HistoryRow {
	id: string;
	number: string;
	status: 'live' | 'waiting' | 'ended';
	startedAt: string;
	endedAt: string | null;
	/** Reps who took part, in joining order (controllers, assistants, agents). */
	reps: string[];
	customers: string[];
	queues: string[];
	/** The survey: how many customers answered, and their average rating. */
	surveys: number;
	rating: number | null;
}

export interface RatingAverage {
	id: string;
	name: string;
	surveys: number;
	rating: number;
}

export interface HistoryPage {
	rows: HistoryRow[];
	/** Pass as `after` for the next (older) page; null on the last page. */
	next: string | null;
}

/** The survey over every session a filter matches (not only a page): asked once per filter, not per page. */
export interface SurveyAverages {
	count: number;
	rating: number | null;
	byRep: RatingAverage[];
	byQueue: RatingAverage[];
}

export interface HistoryViewer {
	id: string;
	isAdmin: boolean;
}

/** The conditions on `support_sessions s` that the viewer and the filter make. */
function conditions(viewer: HistoryViewer, f: HistoryFilter): SQL[] {
	const where: SQL[] = [];
	const tookPart = (repId: string) => sql`s.id in (select p.session_id from participants p where p.rep_id = ${repId})`;
	if (!viewer.isAdmin) where.push(tookPart(viewer.id));
	if (f.repId) where.push(tookPart(f.repId));
	if (f.from) where.push(sql`s.started_at >= ${f.from}::timestamptz`);
	if (f.to) where.push(sql`s.started_at <= ${f.to}::timestamptz`);
	if (f.queueId) where.push(sql`s.id in (select q.session_id from session_queues q where q.queue_id = ${f.queueId})`);
	if (f.number) where.push(sql`s.number = ${f.number}`);
	if (f.customer) {
		const like = `%${f.customer.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
		where.push(sql`exists (select 1 from participants c where c.session_id = s.id and c.role = 'customer' and lower(c.name) like ${like})`);
	}
	return where;
}

const and = (parts: SQL[]): SQL => (parts.length ? sql.join(parts, sql` and `) : sql`true`);

/** The sessions of one page: ids first (on the index), then what each shows. */
export async function sessionHistory(db: Tx, viewer: HistoryViewer, input: z.output<typeof historyPage>): Promise<HistoryPage> {
	const where = conditions(viewer, input.filter);
	if (input.after) where.push(sql`(s.started_at, s.id) < (${input.after.startedAt}::timestamptz, ${input.after.id}::uuid)`);
	const page = await rowsOf<{
		id: string;
		number: string;
		status: HistoryRow['status'];
		started_at: Date | string;
		ended_at: Date | string | null;
	}>(
		db,
		sql`select s.id, s.number, s.status, s.started_at, s.ended_at from support_sessions s
			where ${and(where)} order by s.started_at desc, s.id desc limit ${input.pageSize + 1}`,
	);
	const more = page.length > input.pageSize;
	const shown = page.slice(0, input.pageSize);
	const rows = await describeRows(db, shown);
	const last = rows.at(-1);
	return {
		rows,
		next: more && last ? cursorOf(last) : null,
	};
}

/** Every session the filter matches, a batch at a time (the exports), newest first. */
export async function* everySession(db: Tx, viewer: HistoryViewer, filter: HistoryFilter, limit = 100_000): AsyncGenerator<HistoryRow> {
	let after: { startedAt: string; id: string } | undefined;
	let given = 0;
	while (given < limit) {
		const page = await sessionHistory(db, viewer, { filter, pageSize: HISTORY_PAGE_MAX, ...(after ? { after } : {}) });
		for (const row of page.rows) {
			if (given++ >= limit) return;
			yield row;
		}
		const last = page.rows.at(-1);
		if (!page.next || !last) return;
		after = { startedAt: last.startedAt, id: last.id };
	}
}

async function describeRows(
	db: Tx,
	shown: { id: string; number: string; status: HistoryRow['status']; started_at: Date | string; ended_at: Date | string | null }[],
): Promise<HistoryRow[]> {
	if (shown.length === 0) return [];
	const ids = sql.join(
		shown.map((s) => sql`${s.id}::uuid`),
		sql`, `,
	);
	const [people, queues, surveys] = await Promise.all([
		rowsOf<{ session_id: string; name: string; rep_id: string | null }>(
			db,
			sql`select session_id, name, rep_id from participants where session_id in (${ids}) order by joined_at, id`,
		),
		rowsOf<{ session_id: string; name: string }>(
			db,
			sql`select sq.session_id, q.name from session_queues sq join queues q on q.id = sq.queue_id where sq.session_id in (${ids}) order by q.name`,
		),
		rowsOf<{ session_id: string; count: number | string; rating: number | string }>(
			db,
			sql`select session_id, count(*) as count, avg(rating)::float8 as rating from surveys where session_id in (${ids}) group by session_id`,
		),
	]);
	return shown.map((s) => {
		const mine = people.filter((p) => p.session_id === s.id);
		const survey = surveys.find((r) => r.session_id === s.id);
		return {
			id: s.id,
			number: s.number,
			status: s.status,
			startedAt: iso(s.started_at),
			endedAt: s.ended_at === null ? null : iso(s.ended_at),
			reps: unique(mine.filter((p) => p.rep_id).map((p) => p.name)),
			customers: unique(mine.filter((p) => !p.rep_id).map((p) => p.name)),
			queues: queues.filter((q) => q.session_id === s.id).map((q) => q.name),
			surveys: survey ? Number(survey.count) : 0,
			rating: survey ? round(Number(survey.rating)) : null,
		};
	});
}

/**
 * The survey's average over the filtered sessions, and (for an administrator) per rep and per queue: each
 * survey row carries its session's reps and queues, so this reads the surveys and no join.
 */
export async function surveyAverages(db: Tx, viewer: HistoryViewer, filter: HistoryFilter): Promise<SurveyAverages> {
	const where = conditions(viewer, filter);
	const matched = where.length ? sql`sv.session_id in (select s.id from support_sessions s where ${and(where)})` : sql`true`;
	const [total] = await rowsOf<{ count: number | string; rating: number | string | null }>(
		db,
		sql`select count(*) as count, avg(sv.rating)::float8 as rating from surveys sv where ${matched}`,
	);
	const count = Number(total?.count ?? 0);
	const overall = { count, rating: count && total?.rating !== null ? round(Number(total?.rating)) : null };
	if (!viewer.isAdmin || count === 0) return { ...overall, byRep: [], byQueue: [] };
	const by = (column: SQL, names: SQL) =>
		rowsOf<{ id: string; name: string; count: number | string; rating: number | string }>(
			db,
			sql`select n.id, n.name, v.count, v.rating from (select x.id, count(*) as count, avg(x.rating)::float8 as rating
				from (select unnest(${column}) as id, sv.rating from surveys sv where ${matched}) x group by x.id) v
				join ${names} n on n.id = v.id order by n.name`,
		);
	const [byRep, byQueue] = await Promise.all([by(sql`sv.rep_ids`, sql`reps`), by(sql`sv.queue_ids`, sql`queues`)]);
	const average = (r: { id: string; name: string; count: number | string; rating: number | string }): RatingAverage => ({
		id: r.id,
		name: r.name,
		surveys: Number(r.count),
		rating: round(Number(r.rating)),
	});
	return { ...overall, byRep: byRep.map(average), byQueue: byQueue.map(average) };
}

const round = (n: number) => Math.round(n * 100) / 100;
const unique = (names: string[]) => [...new Set(names)];
const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

/** Rows of a raw query, whichever driver (PGlite and node-postgres answer in different shapes). */
export async function rowsOf<T>(db: Tx, query: SQL): Promise<T[]> {
	const result = (await db.execute(query)) as unknown as { rows?: T[] } | T[];
	return Array.isArray(result) ? result : (result.rows ?? []);
}
