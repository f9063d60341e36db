// The reports as files (SPEC §10): CSV by RFC 4180 — every field that needs it quoted, quotes doubled,
// CRLF between records, UTF-8 with a byte order mark so a spreadsheet reads č, ć, š, ž, đ right — and JSON
// of one documented schema. A text cell that a spreadsheet would run as a formula (= + - @, tab, CR first)
// is neutralised with a leading apostrophe.

import { message, type Language } from '../mail/invitationMail.ts';
import { formatSessionNumber } from '../session/sessionNumber.ts';
import type { HistoryRow } from './history.ts';
import { REPORT_SCHEMA, type SessionReport } from './reports.ts';

const BOM = '\uFEFF';

/** One CSV field: formulas neutralised, quoted when it holds a quote, a comma, a line break or edge spaces. */
export function csvField(value: string | number | null): string {
	if (value === null) return '';
	let text = String(value);
	if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
	return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvOf = (records: readonly (readonly (string | number | null)[])[]): string =>
	BOM + records.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const seconds = (from: number | null, to: number | null) => (from === null || to === null ? null : Math.round((to - from) / 1000));

/** The history as CSV: one record per session. */
export async function historyCsv(rows: AsyncIterable<HistoryRow>, language: Language): Promise<string> {
	const t = (key: string) => message(language, `report_csv_${key}`, {});
	const records: (string | number | null)[][] = [
		[t('number'), t('status'), t('started'), t('ended'), t('duration'), t('reps'), t('customers'), t('queues'), t('surveys'), t('rating')],
	];
	for await (const r of rows) {
		const started = Date.parse(r.startedAt);
		const ended = r.endedAt ? Date.parse(r.endedAt) : null;
		records.push([
			formatSessionNumber(r.number),
			r.status,
			r.startedAt,
			r.endedAt,
			seconds(started, ended),
			r.reps.join('; '),
			r.customers.join('; '),
			r.queues.join('; '),
			r.surveys,
			r.rating,
		]);
	}
	return csvOf(records);
}

/** The history as JSON: the same rows as the CSV, with the schema's name. */
export async function historyJson(rows: AsyncIterable<HistoryRow>): Promise<string> {
	const sessions: HistoryRow[] = [];
	for await (const r of rows) sessions.push(r);
	return JSON.stringify({ schema: 'tandem.sessionHistory/1', sessions }, null, 2);
}

/** One session's report as CSV: one record per thing that happened, by section, in order. */
export function reportCsv(report: SessionReport, language: Language): string {
	const t = (key: string) => message(language, `report_csv_${key}`, {});
	const s = report.session;
	const records: (string | number | null)[][] = [[t('section'), t('time'), t('who'), t('what'), t('detail')]];
	const add = (section: string, at: number | null, who: string | null, what: string | null, detail: string | number | null = null) =>
		records.push([t(section), iso(at), who, what, detail]);
	add('section_session', s.startedAt, null, formatSessionNumber(s.number), s.status);
	if (s.endedAt !== null) add('section_session', s.endedAt, s.endedBy, s.endReason, seconds(s.startedAt, s.endedAt));
	for (const p of report.participants)
		add(
			'section_participant',
			p.joinedAt,
			p.name,
			p.roles.join(' → '),
			p.leftAt === null ? null : `${iso(p.leftAt)} ${p.leftBecause ?? ''}`.trim(),
		);
	for (const c of report.control)
		add(
			'section_control',
			c.at,
			c.by,
			c.kind,
			[c.to, c.queue, c.waitedMs === null ? null : `${Math.round(c.waitedMs / 1000)} s`, c.reason].filter(Boolean).join(' · ') || null,
		);
	for (const w of report.queueWaits) add('section_queue', w.from, w.agent, w.queue, `${w.outcome} ${seconds(w.from, w.to) ?? ''}`.trim());
	for (const l of report.transcript) add('section_chat', l.at, l.who, l.kind, l.text);
	for (const f of report.files) add('section_file', f.offeredAt, f.sender, f.name, `${f.size} B · ${f.status} · sha256 ${f.sha256 ?? '-'}`);
	for (const r of report.recordings) add('section_recording', r.startedAt, null, r.status, r.duration);
	for (const i of report.invitations) add('section_invitation', i.createdAt, i.createdBy, `${i.via} ${i.role}`, i.recipient);
	for (const v of report.surveys) add('section_survey', v.answeredAt, v.customer, String(v.rating), v.comment);
	return csvOf(records);
}

export const reportJson = (report: SessionReport): string => JSON.stringify({ ...report, schema: REPORT_SCHEMA }, null, 2);
