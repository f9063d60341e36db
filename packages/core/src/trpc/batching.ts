// How many calls one API request may carry, and which calls must come alone — one definition for the
// server that refuses such requests (context.ts) and the console's client that never sends them.

/** More calls than a page ever batches in one request. */
export const MAX_BATCH = 10;

/** Calls that must come one per request: a batch of them would be a batch of password guesses. */
const NEVER_BATCHED = new Set(['auth.signIn', 'auth.createFirstAdmin']);

export const mustComeAlone = (path: string): boolean => NEVER_BATCHED.has(path);

/** Whether a request naming these procedures (in one batch) is allowed. */
export const batchAllowed = (paths: readonly string[]): boolean =>
	paths.length <= MAX_BATCH && (paths.length <= 1 || !paths.some(mustComeAlone));
