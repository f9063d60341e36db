// One session's report as a file (SPEC §10): /console/api/reports/<session id>?format=csv|json.
// Core reads, authorises and writes it; this route only hands the request over.
import { reportDownload } from '@tandem/core/server';
import { getTandem } from '#lib/server/tandem.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ request, params, url, getClientAddress }) => {
	const tandem = await getTandem();
	const ctx = await tandem.createContext({ req: request, resHeaders: new Headers(), clientAddress: getClientAddress() });
	return reportDownload(tandem.services.reports, ctx.rep, params.sessionId, url);
};
