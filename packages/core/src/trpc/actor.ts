// Who is calling, in a session: a signed-in rep, else the customer of the cookie, else nobody.

import type { ActorRef } from '../service/sessionService.ts';
import type { SessionState } from '../session/model.ts';
import type { Context } from './context.ts';

export async function actorIn(ctx: Context, sessionId: string): Promise<ActorRef> {
	if (ctx.rep) return { kind: 'rep', repId: ctx.rep.id };
	if (ctx.customerToken) {
		const customer = await ctx.services.sessions.customerFromToken(ctx.customerToken);
		if (customer && customer.sessionId === sessionId) return { kind: 'customer', participantId: customer.participantId };
	}
	return { kind: 'anonymous' };
}

/** The actor's participant in the session's current state, if they are in it. */
export function participantIn(state: SessionState, actor: ActorRef) {
	if (actor.kind === 'rep') return state.participants.find((p) => p.repId === actor.repId);
	if (actor.kind === 'customer') return state.participants.find((p) => p.id === actor.participantId);
	return undefined;
}
