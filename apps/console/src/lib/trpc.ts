// The console's typed client for the one API (tRPC): subscriptions over SSE, the rest batched.
// Any call refused with "not signed in" means this browser's login has ended (signed out elsewhere,
// or the account was disabled): the page is told, and shows the sign-in form.
import { createTRPCClient, httpBatchLink, httpLink, httpSubscriptionLink, splitLink, type TRPCLink } from '@trpc/client';
import type { inferRouterOutputs } from '@trpc/server';
import { observable } from '@trpc/server/observable';
import type { AppRouter } from '@tandem/core/server';
import { MAX_BATCH, mustComeAlone } from '@tandem/core/client';

export const TRPC_URL = '/console/api/trpc';

/** What each procedure answers, by its path (`RouterOutputs['reports']['history']`). */
export type RouterOutputs = inferRouterOutputs<AppRouter>;

const signedOutListeners = new Set<() => void>();

/** Called when the server no longer knows this browser's login. */
export function onSignedOut(listener: () => void): () => void {
	signedOutListeners.add(listener);
	return () => signedOutListeners.delete(listener);
}

export function signedOut(): void {
	for (const listener of signedOutListeners) listener();
}

const watchLogin: TRPCLink<AppRouter> =
	() =>
	({ op, next }) =>
		observable((observer) =>
			next(op).subscribe({
				next: (value) => observer.next(value),
				error: (error) => {
					if ((error.data as { tandemCode?: string } | undefined)?.tandemCode === 'notSignedIn') signedOut();
					observer.error(error);
				},
				complete: () => observer.complete(),
			}),
		);

export const trpc = createTRPCClient<AppRouter>({
	links: [
		watchLogin,
		splitLink({
			condition: (op) => op.type === 'subscription',
			true: httpSubscriptionLink({ url: TRPC_URL }),
			// Never a request the server refuses: at most MAX_BATCH calls, and sign-ins one at a time.
			false: splitLink({
				condition: (op) => mustComeAlone(op.path),
				true: httpLink({ url: TRPC_URL }),
				false: httpBatchLink({ url: TRPC_URL, maxItems: MAX_BATCH }),
			}),
		}),
	],
});
