// How each event changes a session. Applying a session's events in order rebuilds its state.

import { MARKS_KEPT, noActivities, type FileId, type FileRecord, type Invitation, type SessionEvent, type SessionState } from './model.ts';

export function evolve(state: SessionState | null, event: SessionEvent): SessionState {
	if (event.type === 'session.started') {
		return {
			id: event.sessionId,
			number: event.number,
			status: 'live',
			controllerId: event.controller.id,
			participants: [event.controller],
			focusedCustomerId: null,
			activities: noActivities(),
			invitations: [],
			files: [],
			handover: null,
			startedAt: event.at,
			endedAt: null,
			version: 1,
		};
	}
	if (event.type === 'session.requested') {
		// Get help: a session with the customer in it and nobody in control, waiting in a queue (SPEC §8).
		return {
			id: event.sessionId,
			number: event.number,
			status: 'waiting',
			controllerId: null,
			participants: [event.customer],
			focusedCustomerId: event.customer.id,
			activities: noActivities(),
			invitations: [],
			files: [],
			handover: event.handover,
			...(event.handover.email ? { contacts: { [event.customer.id]: event.handover.email } } : {}),
			startedAt: event.at,
			endedAt: null,
			version: 1,
		};
	}
	if (!state) throw new Error(`event ${event.type} before session.started`);
	const next: SessionState = { ...state, version: state.version + 1 };

	switch (event.type) {
		case 'participant.joined': {
			next.participants = [...state.participants, event.participant];
			if (event.participant.role === 'customer' && !state.focusedCustomerId) next.focusedCustomerId = event.participant.id;
			return next;
		}
		case 'participant.left': {
			next.participants = state.participants.filter((p) => p.id !== event.participantId);
			if (state.focusedCustomerId === event.participantId) {
				next.focusedCustomerId = next.participants.find((p) => p.role === 'customer')?.id ?? null;
			}
			if (state.controllerId === event.participantId) {
				// A live session without its controller waits for one (SPEC §1, §7).
				next.controllerId = null;
				if (state.status === 'live') next.status = 'waiting';
			}
			return next;
		}
		case 'customer.focused':
			next.focusedCustomerId = event.participantId;
			return next;
		case 'control.transferred':
			// Marks are the controlling rep's: they go with control (SPEC §9).
			if (state.marks?.length) next.marks = [];
			next.controllerId = event.to;
			next.participants = state.participants.map((p) =>
				p.id === event.to ? { ...p, role: 'controller' } : p.id === event.from ? { ...p, role: 'assistant' } : p,
			);
			return next;
		// Logs written before files were records hold a 'fileTransfer' activity (a bare counter that meant
		// nothing): it changes nothing now.
		case 'activity.started': {
			const a = { ...state.activities };
			if (event.activity === 'sharing') a.sharing = [...a.sharing, event.participantId];
			else if (event.activity === 'video') a.video = [...a.video, event.participantId];
			else if (event.activity === 'recording') {
				a.recording = true;
				next.recordingSince = event.at;
			} else if (event.activity === 'voiceCall') a.voiceCall = true;
			next.activities = a;
			return next;
		}
		case 'activity.stopped': {
			const a = { ...state.activities };
			if (event.activity === 'sharing') {
				a.sharing = a.sharing.filter((id) => id !== event.participantId);
				// A share's marks end with it.
				if (state.marks?.length) next.marks = state.marks.filter((m) => event.participantId !== null && m.share !== event.participantId);
			} else if (event.activity === 'video') a.video = a.video.filter((id) => id !== event.participantId);
			else if (event.activity === 'recording') {
				a.recording = false;
				delete next.recordingSince;
			} else if (event.activity === 'voiceCall') a.voiceCall = false;
			next.activities = a;
			return next;
		}
		case 'session.ended':
			if (state.marks?.length) next.marks = [];
			delete next.recordingSince;
			next.status = 'ended';
			next.endedAt = event.at;
			next.controllerId = null;
			next.activities = noActivities();
			next.handover = null;
			return next;
		case 'offer.made':
			next.handover = state.handover && { ...state.handover, offers: [...state.handover.offers, ...event.offers] };
			return next;
		case 'offer.declined':
		case 'offer.expired':
			// Routing moves on past who declined or let it expire.
			next.handover = state.handover && {
				...state.handover,
				offers: state.handover.offers.filter((o) => o.id !== event.offerId),
				passedBy: state.handover.passedBy.includes(event.repId) ? state.handover.passedBy : [...state.handover.passedBy, event.repId],
			};
			return next;
		case 'session.handedOver':
			next.handover = event.handover;
			return next;
		case 'handover.moved':
			next.handover = state.handover && {
				...state.handover,
				queueId: event.queueId,
				agents: event.queueId ? null : state.handover.agents,
				round: event.round,
				ahead: event.ahead,
				since: event.at,
				passedBy: [],
				fellBack: state.handover.fellBack || (state.handover.queueId === null && event.queueId !== null),
			};
			return next;
		case 'session.accepted':
			// The agent is in control; every other offer of it is withdrawn with the hand-over.
			next.participants = [...state.participants, event.controller];
			next.controllerId = event.controller.id;
			next.status = 'live';
			next.servedFrom = { queueId: state.handover?.queueId ?? null, since: event.at };
			next.handover = null;
			return next;
		case 'invitation.created':
			next.invitations = [
				...invitationsOf(state),
				{ ...event.invitation, createdAt: event.at, sentAt: null, sendError: null, revokedAt: null },
			];
			return next;
		case 'invitation.sent':
			next.invitations = invitationsOf(state).map((i) => (i.id === event.invitationId ? { ...i, sentAt: event.at } : i));
			return next;
		case 'invitation.notSent':
			// Nobody received its link: the invitation is withdrawn.
			next.invitations = invitationsOf(state).map((i) =>
				i.id === event.invitationId ? { ...i, sendError: event.error, revokedAt: i.revokedAt ?? event.at } : i,
			);
			return next;
		case 'invitation.revoked':
			next.invitations = invitationsOf(state).map((i) => (i.id === event.invitationId ? { ...i, revokedAt: event.at } : i));
			return next;
		case 'media.failed':
			// A record only: what it leaves stopped comes as its own activity.stopped.
			return next;
		case 'chat.posted':
			// The transcript is the log itself; the state remembers only what stops a retry posting twice.
			next.recentChatIds = [...(state.recentChatIds ?? []).slice(1 - RECENT_CHAT_IDS), event.messageId];
			return next;
		case 'transcript.requested':
			next.transcriptMails = { ...state.transcriptMails, [event.participantId]: { to: event.to, status: 'requested' } };
			return next;
		case 'mark.drawn':
			next.marks = [...(state.marks ?? []).slice(1 - MARKS_KEPT), { ...event.mark, at: event.at }];
			return next;
		case 'marks.cleared':
			next.marks = (state.marks ?? []).filter((m) => event.share !== null && m.share !== event.share);
			return next;
		case 'survey.answered':
			next.surveys = { ...state.surveys, [event.participantId]: event.rating };
			return next;
		case 'transcript.sent':
		case 'transcript.notSent': {
			const mail = state.transcriptMails?.[event.participantId];
			if (mail)
				next.transcriptMails = {
					...state.transcriptMails,
					[event.participantId]: { ...mail, status: event.type === 'transcript.sent' ? 'sent' : 'notSent' },
				};
			return next;
		}
		case 'file.offered':
			next.files = [
				...filesOf(state),
				{
					...event.file,
					status: 'offered',
					offeredAt: event.at,
					acceptedBy: [],
					sha256: null,
					completedAt: null,
					cancelled: null,
					expiredAt: null,
				},
			];
			return next;
		case 'file.accepted':
			next.files = changeFile(state, event.fileId, (f) => ({ ...f, acceptedBy: [...f.acceptedBy, event.participantId] }));
			return next;
		case 'file.uploadStarted':
			next.files = changeFile(state, event.fileId, (f) => ({ ...f, status: 'uploading' }));
			return next;
		case 'file.uploaded':
			next.files = changeFile(state, event.fileId, (f) => ({ ...f, status: 'complete', sha256: event.sha256, completedAt: event.at }));
			return next;
		case 'file.cancelled':
			next.files = changeFile(state, event.fileId, (f) => ({
				...f,
				status: 'cancelled',
				cancelled: { at: event.at, reason: event.reason, by: event.by },
			}));
			return next;
		case 'file.expired':
			next.files = changeFile(state, event.fileId, (f) => ({ ...f, status: 'expired', expiredAt: event.at }));
			return next;
	}
}

const changeFile = (state: SessionState, id: FileId, change: (f: FileRecord) => FileRecord): FileRecord[] =>
	filesOf(state).map((f) => (f.id === id ? change(f) : f));

/** A session's file transfers (snapshots stored before files were records have none). */
export const filesOf = (state: SessionState): FileRecord[] => state.files ?? [];

/** How many of the latest chat messages' ids a session remembers (a page retries within seconds, not hundreds of lines). */
export const RECENT_CHAT_IDS = 64;

/** Whether a session waits for an agent, and where (snapshots stored before WebACD have no hand-over). */
export const handoverOf = (state: SessionState) => state.handover ?? null;

/** A session's invitations (snapshots stored before invitations existed have none). */
export const invitationsOf = (state: SessionState): Invitation[] => state.invitations ?? [];

export function replay(events: readonly SessionEvent[]): SessionState | null {
	let state: SessionState | null = null;
	for (const e of events) state = evolve(state, e);
	return state;
}
