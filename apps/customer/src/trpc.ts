// The customer page's typed client for the one API (tRPC): subscriptions over SSE, the rest one request
// per call (httpLink: the page never makes calls in parallel, so batching would only add weight).
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import type { AppRouter } from '@tandem/core/server';

export const TRPC_URL = '/console/api/trpc';

export const trpc = createTRPCClient<AppRouter>({
	links: [
		splitLink({
			condition: (op) => op.type === 'subscription',
			true: httpSubscriptionLink({ url: TRPC_URL }),
			false: httpLink({ url: TRPC_URL }),
		}),
	],
});
