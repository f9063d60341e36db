// The whole API: tRPC over fetch, at /console/api/trpc (queries, mutations, SSE subscriptions).
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { getTandem } from '#lib/server/tandem.ts';
import type { RequestHandler } from './$types';

const handle: RequestHandler = async ({ request, getClientAddress }) => {
	const tandem = await getTandem();
	return fetchRequestHandler({
		endpoint: '/console/api/trpc',
		req: request,
		router: tandem.router,
		createContext: ({ req, resHeaders }) => tandem.createContext({ req, resHeaders, clientAddress: getClientAddress() }),
	});
};

export const GET = handle;
export const POST = handle;
