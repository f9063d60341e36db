// Calls that look a session up by the number a person typed (a customer's Join, a rep's Assist Session)
// go through the per-client number-guess limiter (SPEC §11).

import { TandemError } from '../refusal.ts';
import { clientKey, tooMany } from '../service/numberGuessLimiter.ts';
import type { Context } from './context.ts';

/**
 * Refuses the attempt while this client waits; counts a number with no live session as a miss, and
 * answers the miss that starts a wait with that wait. Malformed numbers are typos, not guesses: free.
 */
export async function byNumber<T>(ctx: Context, attempt: () => Promise<T>): Promise<T> {
	const limiter = ctx.services.numberGuesses;
	const client = clientKey(ctx.clientId);
	limiter.check(client);
	try {
		return await attempt();
	} catch (error) {
		if (error instanceof TandemError && error.code === 'sessionNotFound') {
			const wait = limiter.miss(client);
			if (wait > 0) throw tooMany(wait);
		}
		throw error;
	}
}
