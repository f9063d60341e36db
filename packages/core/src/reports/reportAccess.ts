// Who may read a session after the fact (SPEC §10): the reps who took part in it, and administrators. One
// rule for its report, its recordings and its files once it has ended.

import { and, eq } from 'drizzle-orm';
import { participants, supportSessions } from '@tandem/db';
import { TandemError } from '../refusal.ts';
import type { Tx } from '../service/repLoad.ts';

/** Whether the rep was ever a participant of the session (as its controller, an assistant, an agent). */
export async function tookPart(db: Tx, repId: string, sessionId: string): Promise<boolean> {
	const [row] = await db
		.select({ id: participants.id })
		.from(participants)
		.where(and(eq(participants.sessionId, sessionId), eq(participants.repId, repId)))
		.limit(1);
	return !!row;
}

/** Refuses unless the rep may read the session's report: an unknown session is not found, another's forbidden. */
export async function mayReadReport(db: Tx, rep: { id: string; isAdmin: boolean }, sessionId: string): Promise<void> {
	if (rep.isAdmin) {
		const [session] = await db.select({ id: supportSessions.id }).from(supportSessions).where(eq(supportSessions.id, sessionId));
		if (!session) throw new TandemError('reportNotFound');
		return;
	}
	if (!(await tookPart(db, rep.id, sessionId))) {
		throw new TandemError('reportNotYours', 'only reps who took part in the session (and administrators) read its report');
	}
}
