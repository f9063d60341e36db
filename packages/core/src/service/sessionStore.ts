// Where sessions live beside their events in the log: the projections written in the same transaction
// (`support_sessions`, `participants`, `invitations`) and the queries they answer.

import { and, asc, eq, gte, isNull, ne, sql } from 'drizzle-orm';
import { invitations, participants, sessionFiles, sessionQueues, supportSessions, surveys } from '@tandem/db';
import { customersIn } from '../session/decide.ts';
import type { SessionEvent, SessionState } from '../session/model.ts';
import type { Tx } from './repLoad.ts';

export async function loadSession(db: Tx, sessionId: string): Promise<SessionState | null> {
	const [row] = await db.select({ state: supportSessions.state }).from(supportSessions).where(eq(supportSessions.id, sessionId));
	return row ? snapshotOf(row.state) : null;
}

/** A stored snapshot as today's state: what older releases did not store is added, what they no longer mean dropped. */
function snapshotOf(stored: unknown): SessionState {
	const state = stored as SessionState & { activities: SessionState['activities'] & { fileTransfers?: number } };
	// Snapshots stored before invitations, WebACD or files existed have none; before files were records,
	// `activities.fileTransfers` was a bare counter.
	const { fileTransfers: _counter, ...activities } = state.activities;
	return { ...state, activities, invitations: state.invitations ?? [], handover: state.handover ?? null, files: state.files ?? [] };
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
		await projectFile(db, state, event);
		await projectReport(db, state, event);
	}
}

/** What the history filters and averages by (SPEC §10): the queues a session waited in, its surveys. */
async function projectReport(db: Tx, state: SessionState, event: SessionEvent): Promise<void> {
	const queueId =
		event.type === 'session.requested' || event.type === 'session.handedOver'
			? event.handover.queueId
			: event.type === 'handover.moved'
				? event.queueId
				: null;
	if (queueId) await db.insert(sessionQueues).values({ sessionId: state.id, queueId }).onConflictDoNothing();
	if (event.type === 'survey.answered') {
		const reps = await db.selectDistinct({ id: participants.repId }).from(participants).where(eq(participants.sessionId, state.id));
		const waited = await db.select({ id: sessionQueues.queueId }).from(sessionQueues).where(eq(sessionQueues.sessionId, state.id));
		await db.insert(surveys).values({
			participantId: event.participantId,
			sessionId: state.id,
			rating: event.rating,
			comment: event.comment,
			answeredAt: new Date(event.at),
			repIds: reps.flatMap((r) => (r.id ? [r.id] : [])),
			queueIds: waited.map((q) => q.id),
		});
	}
}

/** A file's row follows its record (SPEC §9): it is how an upload's or download's address finds its session. */
async function projectFile(db: Tx, state: SessionState, event: SessionEvent): Promise<void> {
	const at = new Date(event.at);
	switch (event.type) {
		case 'file.offered':
			await db.insert(sessionFiles).values({
				id: event.file.id,
				sessionId: state.id,
				senderParticipantId: event.file.sender.participantId,
				name: event.file.name,
				size: event.file.size,
				mediaType: event.file.mediaType,
				status: 'offered',
				offeredAt: at,
			});
			return;
		case 'file.uploadStarted':
			await db.update(sessionFiles).set({ status: 'uploading' }).where(eq(sessionFiles.id, event.fileId));
			return;
		case 'file.uploaded':
			await db
				.update(sessionFiles)
				.set({ status: 'complete', sha256: event.sha256, completedAt: at })
				.where(eq(sessionFiles.id, event.fileId));
			return;
		case 'file.cancelled':
			await db.update(sessionFiles).set({ status: 'cancelled', endedAt: at }).where(eq(sessionFiles.id, event.fileId));
			return;
		case 'file.expired':
			await db.update(sessionFiles).set({ status: 'expired', endedAt: at }).where(eq(sessionFiles.id, event.fileId));
			return;
		default:
			return;
	}
}

/** The session a file belongs to, or null for an id of no file. */
export async function sessionOfFile(db: Tx, fileId: string): Promise<string | null> {
	const [row] = await db.select({ sessionId: sessionFiles.sessionId }).from(sessionFiles).where(eq(sessionFiles.id, fileId));
	return row?.sessionId ?? null;
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
	return rows.map((r) => snapshotOf(r.state));
}

export async function customerByTokenHash(db: Tx, tokenHash: string): Promise<{ participantId: string; sessionId: string } | null> {
	const [row] = await db
		.select({ participantId: participants.id, sessionId: participants.sessionId })
		.from(participants)
		.where(eq(participants.tokenHash, tokenHash));
	return row ?? null;
}
