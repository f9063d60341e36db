// Where sessions live beside their events in the log: the projections written in the same transaction
// (`support_sessions`, `participants`, `invitations`) and the queries they answer.

import { and, asc, eq, gte, isNull, ne, sql } from 'drizzle-orm';
import { invitations, participants, supportSessions } from '@tandem/db';
import { customersIn } from '../session/decide.ts';
import type { SessionEvent, SessionState } from '../session/model.ts';
import type { Tx } from './repLoad.ts';

export async function loadSession(db: Tx, sessionId: string): Promise<SessionState | null> {
	const [row] = await db.select({ state: supportSessions.state }).from(supportSessions).where(eq(supportSessions.id, sessionId));
	if (!row) return null;
	const state = row.state as SessionState;
	// Snapshots stored before invitations existed have none.
	return { ...state, invitations: state.invitations ?? [], handover: state.handover ?? null };
}

/** Secrets that go with the events into the projections, never into the events: hashes of tokens. */
export interface EventSecrets {
	/** sha-256 of the participant token of a customer who joins. */
	customerTokenHash?: string;
	/** sha-256 of the link token of an invitation being created. */
	invitationTokenHash?: string;
}

export async function findLiveSessionByNumber(db: Tx, number: string): Promise<string | null> {
	const [row] = await db
		.select({ id: supportSessions.id })
		.from(supportSessions)
		.where(and(eq(supportSessions.number, number), ne(supportSessions.status, 'ended')));
	return row?.id ?? null;
}

/** Whether a session with this number ended at or after `since` (its number is not given out again yet). */
export async function numberEndedSince(db: Tx, number: string, since: Date): Promise<boolean> {
	const [row] = await db
		.select({ id: supportSessions.id })
		.from(supportSessions)
		.where(and(eq(supportSessions.number, number), gte(supportSessions.endedAt, since)))
		.limit(1);
	return !!row;
}

/** Writes the projections of a session's new events: the session row, its participants, its invitations. */
export async function projectSession(
	db: Tx,
	change: { before: SessionState | null; state: SessionState; events: readonly SessionEvent[] },
	secrets: EventSecrets,
): Promise<void> {
	const { before, state, events } = change;
	const projection = {
		number: state.number,
		status: state.status,
		controllerRepId: state.participants.find((p) => p.id === state.controllerId)?.repId ?? null,
		customerCount: state.status === 'ended' ? 0 : customersIn(state),
		waitingQueueId: state.status === 'waiting' ? (state.handover?.queueId ?? null) : null,
		state,
		version: state.version,
		endedAt: state.endedAt ? new Date(state.endedAt) : null,
	};
	if (before) {
		await db.update(supportSessions).set(projection).where(eq(supportSessions.id, state.id));
	} else {
		await db.insert(supportSessions).values({ id: state.id, startedAt: new Date(state.startedAt), ...projection });
	}
	for (const event of events) {
		await projectParticipant(db, state, event, secrets.customerTokenHash);
		await projectInvitation(db, state, event, secrets.invitationTokenHash);
	}
}

async function projectParticipant(db: Tx, state: SessionState, event: SessionEvent, tokenHash?: string): Promise<void> {
	const at = new Date(event.at);
	switch (event.type) {
		case 'session.started':
			await db.insert(participants).values({
				id: event.controller.id,
				sessionId: state.id,
				repId: event.controller.repId ?? null,
				name: event.controller.name,
				role: 'controller',
				joinedAt: at,
			});
			return;
		case 'session.requested':
			await db.insert(participants).values({
				id: event.customer.id,
				sessionId: state.id,
				repId: null,
				name: event.customer.name,
				role: 'customer',
				tokenHash: tokenHash ?? null,
				joinedAt: at,
			});
			return;
		case 'session.accepted':
			await db.insert(participants).values({
				id: event.controller.id,
				sessionId: state.id,
				repId: event.controller.repId ?? null,
				name: event.controller.name,
				role: 'controller',
				joinedAt: at,
			});
			return;
		case 'participant.joined':
			await db.insert(participants).values({
				id: event.participant.id,
				sessionId: state.id,
				repId: event.participant.repId ?? null,
				name: event.participant.name,
				role: event.participant.role,
				tokenHash: event.participant.role === 'customer' ? (tokenHash ?? null) : null,
				joinedAt: at,
			});
			return;
		case 'participant.left':
			await db.update(participants).set({ leftAt: at }).where(eq(participants.id, event.participantId));
			return;
		case 'control.transferred':
			await db.update(participants).set({ role: 'controller' }).where(eq(participants.id, event.to));
			await db.update(participants).set({ role: 'assistant' }).where(eq(participants.id, event.from));
			return;
		case 'session.ended':
			await db
				.update(participants)
				.set({ leftAt: at })
				.where(and(eq(participants.sessionId, state.id), isNull(participants.leftAt)));
			return;
		default:
			return;
	}
}

async function projectInvitation(db: Tx, state: SessionState, event: SessionEvent, tokenHash?: string): Promise<void> {
	const at = new Date(event.at);
	switch (event.type) {
		case 'invitation.created': {
			if (!tokenHash) throw new Error('invitation.created needs the token hash');
			const i = event.invitation;
			await db.insert(invitations).values({
				id: i.id,
				sessionId: state.id,
				role: i.role,
				via: i.via,
				tokenHash,
				recipient: i.recipient,
				createdByRepId: state.participants.find((p) => p.id === i.createdBy)?.repId ?? null,
				createdAt: at,
				expiresAt: new Date(i.expiresAt),
			});
			return;
		}
		case 'invitation.sent':
			await db.update(invitations).set({ sentAt: at }).where(eq(invitations.id, event.invitationId));
			return;
		case 'invitation.notSent':
			// Withdrawn (see evolve), keeping an earlier revocation's time.
			await db
				.update(invitations)
				.set({ sendError: event.error, revokedAt: sql`coalesce(${invitations.revokedAt}, ${at})` })
				.where(eq(invitations.id, event.invitationId));
			return;
		case 'invitation.revoked':
			await db.update(invitations).set({ revokedAt: at }).where(eq(invitations.id, event.invitationId));
			return;
		default:
			return;
	}
}

/** The invitation a link's token belongs to (by the token's hash). */
export async function invitationByTokenHash(db: Tx, tokenHash: string): Promise<{ invitationId: string; sessionId: string } | null> {
	const [row] = await db
		.select({ invitationId: invitations.id, sessionId: invitations.sessionId })
		.from(invitations)
		.where(eq(invitations.tokenHash, tokenHash));
	return row ?? null;
}

/** Sessions a rep takes part in now (controller or assistant). */
export async function sessionsOfRep(db: Tx, repId: string): Promise<SessionState[]> {
	const rows = await db
		.select({ state: supportSessions.state })
		.from(participants)
		.innerJoin(supportSessions, eq(participants.sessionId, supportSessions.id))
		.where(and(eq(participants.repId, repId), isNull(participants.leftAt), ne(supportSessions.status, 'ended')))
		.orderBy(asc(supportSessions.startedAt));
	return rows.map((r) => r.state as SessionState);
}

export async function customerByTokenHash(db: Tx, tokenHash: string): Promise<{ participantId: string; sessionId: string } | null> {
	const [row] = await db
		.select({ participantId: participants.id, sessionId: participants.sessionId })
		.from(participants)
		.where(eq(participants.tokenHash, tokenHash));
	return row ?? null;
}
