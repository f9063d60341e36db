// The customer page's typed client for the one API (tRPC): one request per call (httpLink: the page never
// makes calls in parallel, so batching would only add weight). The feed's subscription link is not here:
// it loads a moment after the first screen (feedClient.ts), which needs no feed to show.
import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '@tandem/core/server';

export const TRPC_URL = '/console/api/trpc';

export const trpc = createTRPCClient<AppRouter>({ links: [httpLink({ url: TRPC_URL })] });
