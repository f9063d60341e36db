// The reports as downloads (SPEC §10), for the console's plain HTTP routes: the history of a filter and one
// session's report, as CSV or JSON, to the signed-in rep who may read them. A refusal is a status and a
// sentence in the rep's language, never a stack.

import { z } from 'zod';
import type { RepRow } from '../auth/repAccounts.ts';
import { message, type Language } from '../mail/invitationMail.ts';
import { TandemError } from '../refusal.ts';
import { formatSessionNumber } from '../session/sessionNumber.ts';
import { historyFilter } from './history.ts';
import { historyCsv, historyJson, reportCsv, reportJson } from './reportExport.ts';
import type { Reports } from './reports.ts';

const format = z.enum(['csv', 'json']).default('csv');
const language = z.enum(['en', 'sr']).catch('en');

const statusOf: Partial<Record<string, number>> = { notSignedIn: 401, reportNotYours: 403, reportNotFound: 404 };

function refused(code: string, lang: Language): Response {
	const key = `err_${code.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
	let text: string;
	try {
		text = message(lang, key, {});
	} catch {
		text = message(lang, 'err_invalid_input', {});
	}
	return new Response(text, {
		status: statusOf[code] ?? 400,
		headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
	});
}

function file(body: string, kind: 'csv' | 'json', name: string): Response {
	return new Response(body, {
		headers: {
			'content-type': kind === 'csv' ? 'text/csv; charset=utf-8; header=present' : 'application/json; charset=utf-8',
			'content-disposition': `attachment; filename="${name}.${kind}"`,
			'cache-control': 'private, no-store',
			'x-content-type-options': 'nosniff',
		},
	});
}

const params = (url: URL) => Object.fromEntries([...url.searchParams].filter(([, v]) => v !== ''));

/** GET /console/api/reports?format=csv|json&from&to&repId&queueId&customer&number&lang */
export async function historyDownload(reports: Reports, rep: RepRow | null, url: URL): Promise<Response> {
	const { format: kind, lang, ...rest } = params(url);
	const l = language.parse(lang);
	if (!rep) return refused('notSignedIn', l);
	const f = format.safeParse(kind);
	const filter = historyFilter.safeParse(rest);
	if (!f.success || !filter.success) return refused('invalidInput', l);
	const rows = reports.everySession(rep, filter.data);
	const stamp = new Date().toISOString().slice(0, 10);
	return file(f.data === 'csv' ? await historyCsv(rows, l) : await historyJson(rows), f.data, `tandem-sessions-${stamp}`);
}

/** GET /console/api/reports/<session id>?format=csv|json&lang */
export async function reportDownload(reports: Reports, rep: RepRow | null, sessionId: string, url: URL): Promise<Response> {
	const { format: kind, lang } = params(url);
	const l = language.parse(lang);
	if (!rep) return refused('notSignedIn', l);
	const f = format.safeParse(kind);
	if (!f.success || !z.uuid().safeParse(sessionId).success) return refused(f.success ? 'reportNotFound' : 'invalidInput', l);
	try {
		const report = await reports.report(rep, sessionId, l);
		const name = `tandem-session-${formatSessionNumber(report.session.number).replace(/\s/g, '')}`;
		return file(f.data === 'csv' ? reportCsv(report, l) : reportJson(report), f.data, name);
	} catch (error) {
		if (error instanceof TandemError) return refused(error.code, l);
		throw error;
	}
}
