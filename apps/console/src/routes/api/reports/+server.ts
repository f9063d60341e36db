// The session history as a file (SPEC §10): /console/api/reports?format=csv|json and the history's filters.
// Core reads, authorises and writes it; this route only hands the request over.
import { historyDownload } from '@tandem/core/server';
import { getTandem } from '#lib/server/tandem.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ request, url, getClientAddress }) => {
	const tandem = await getTandem();
	const ctx = await tandem.createContext({ req: request, resHeaders: new Headers(), clientAddress: getClientAddress() });
	return historyDownload(tandem.services.reports, ctx.rep, url);
};
