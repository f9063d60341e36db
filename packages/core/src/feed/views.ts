// What one viewer sees of a session: the state, who they are in it, and which controls the rules
// let them use (asked of decide: capabilities.ts) — so the apps render, and never decide.

import {
	capabilitiesOf,
	fileCapabilitiesOf,
	type FileCapabilities,
	type ParticipantCapabilities,
	type SessionCapabilities,
	type Viewer,
} from '../session/capabilities.ts';
import { filesOf, invitationsOf } from '../session/evolve.ts';
import { hasAccepted, partIn, type FilePart } from '../session/fileAccess.ts';
import type {
	Activities,
	FileCancelReason,
	FileRecord,
	FileStatus,
	Mark,
	Invitation,
	InvitationChannel,
	InvitedRole,
	ParticipantRole,
	SessionEvent,
	SessionState,
	SessionStatus,
	TranscriptMail,
} from '../session/model.ts';
import { formatSessionNumber } from '../session/sessionNumber.ts';

export type { Viewer };

export interface ParticipantView {
	id: string;
	name: string;
	role: ParticipantRole;
	isMe: boolean;
	/** What the viewer may do to this participant (from the rules). */
	can: ParticipantCapabilities;
}

/** An invitation as the controlling rep sees it in Tools › Invite (never its token). */
export interface InvitationView {
	id: string;
	role: InvitedRole;
	via: InvitationChannel;
	recipient: string | null;
	createdAt: number;
	expiresAt: number;
	sentAt: number | null;
}

/**
 * A file transfer as one viewer sees it (SPEC §9). Everyone in the session sees that a file was sent: its
 * name, size, sender, recipients and where it is. Its sender and recipients see the rest (type, SHA-256, who
 * accepted, why it ended) and may download it; for anyone else those fields are null.
 */
export interface FileView {
	id: string;
	name: string;
	/** Bytes. */
	size: number;
	sender: { participantId: string; name: string };
	recipients: { participantId: string; name: string }[];
	status: FileStatus;
	offeredAt: number;
	/** The viewer's part: they send it, receive it, or (null) only see that it was sent. */
	part: FilePart;
	/** The viewer (a recipient) accepted it. */
	accepted: boolean;
	mediaType: string | null;
	/** Hex SHA-256 of the bytes, computed by the server as they arrived (once complete). */
	sha256: string | null;
	/** Participant ids of the recipients who accepted (the sender sees who did). */
	acceptedBy: string[] | null;
	completedAt: number | null;
	cancelled: { at: number; reason: FileCancelReason } | null;
	expiredAt: number | null;
	can: FileCapabilities;
}

export interface SessionView {
	id: string;
	number: string;
	numberFormatted: string;
	status: SessionStatus;
	startedAt: number;
	endedAt: number | null;
	controller: { id: string; name: string } | null;
	participants: ParticipantView[];
	focusedCustomerId: string | null;
	activities: Activities;
	/** Since when the recording that is on has run (server time, ms); null when none is. */
	recordingSince: number | null;
	/** The viewer in this session; null once they are no longer in it (left, removed, handed over). */
	me: { participantId: string; role: ParticipantRole } | null;
	/** What the viewer may do, asked of the rules (capabilities.ts). */
	can: SessionCapabilities;
	/** Invitations not revoked (nor withdrawn): only for the controlling rep; the page hides expired ones. */
	invitations: InvitationView[];
	/** While it waits for a WebACD agent: a customer who asked (Get help), or a session being transferred. */
	/** Why it waits: asked for help, transferred, or — none of the chosen agents took it — for the next free rep. */
	waiting: { origin: 'getHelp' | 'transfer'; nextFree: boolean } | null;
	/** A customer's own address, as they gave it to Get help: the closing screen offers to mail the transcript there. */
	contact: string | null;
	/** Where the viewer's transcript mail is (a customer, once the session has ended). */
	transcriptMail: TranscriptMail['status'] | null;
	/** Whether the viewer (a customer) has answered the post-session survey (SPEC §10). */
	surveyAnswered: boolean;
	/** Every file transfer of the session, oldest first, as this viewer may see it. */
	files: FileView[];
	/** The marks drawn over the screens being shared now (SPEC §9), oldest first. */
	marks: MarkView[];
}

/** A mark as pages draw it: on whose shared screen, arrow or freehand, its points 0–1 across and down. */
export type MarkView = Pick<Mark, 'id' | 'share' | 'kind' | 'points'>;

export function viewFor(state: SessionState, viewer: Viewer): SessionView {
	const me = state.participants.find((p) => (viewer.kind === 'rep' ? p.repId === viewer.repId : p.id === viewer.participantId));
	const controller = state.participants.find((p) => p.id === state.controllerId);
	const { can, participants } = capabilitiesOf(state, viewer);
	return {
		id: state.id,
		number: state.number,
		numberFormatted: formatSessionNumber(state.number),
		status: state.status,
		startedAt: state.startedAt,
		endedAt: state.endedAt,
		controller: controller ? { id: controller.id, name: controller.name } : null,
		participants: state.participants.map((p) => ({
			id: p.id,
			name: p.name,
			role: p.role,
			isMe: p.id === me?.id,
			can: participants.get(p.id)!,
		})),
		focusedCustomerId: state.focusedCustomerId,
		activities: state.activities,
		me: me ? { participantId: me.id, role: me.role } : null,
		can,
		// The invitations are the controlling rep's to see and revoke: shown to whoever may invite.
		invitations: can.invite
			? invitationsOf(state)
					.filter((i) => i.revokedAt === null)
					.map(invitationView)
			: [],
		waiting:
			state.status === 'waiting' && state.handover ? { origin: state.handover.origin, nextFree: state.handover.fellBack ?? false } : null,
		contact: (me && state.contacts?.[me.id]) ?? null,
		transcriptMail: (me && state.transcriptMails?.[me.id]?.status) ?? null,
		surveyAnswered: !!me && state.surveys?.[me.id] !== undefined,
		files: filesOf(state).map((f) => fileView(state, viewer, f)),
		recordingSince: state.activities.recording ? (state.recordingSince ?? null) : null,
		marks: (state.marks ?? []).map(({ id, share, kind, points }) => ({ id, share, kind, points })),
	};
}

export function fileView(state: SessionState, viewer: Viewer, f: FileRecord): FileView {
	const part = partIn(f, viewer);
	const involved = part !== null;
	return {
		id: f.id,
		name: f.name,
		size: f.size,
		sender: { participantId: f.sender.participantId, name: f.sender.name },
		recipients: f.recipients.map((r) => ({ participantId: r.participantId, name: r.name })),
		status: f.status,
		offeredAt: f.offeredAt,
		part,
		accepted: hasAccepted(f, viewer),
		mediaType: involved ? f.mediaType : null,
		sha256: involved ? f.sha256 : null,
		acceptedBy: involved ? f.acceptedBy : null,
		completedAt: involved ? f.completedAt : null,
		cancelled: involved && f.cancelled ? { at: f.cancelled.at, reason: f.cancelled.reason } : null,
		expiredAt: involved ? f.expiredAt : null,
		can: fileCapabilitiesOf(state, viewer, f),
	};
}

export const invitationView = (i: Invitation): InvitationView => ({
	id: i.id,
	role: i.role,
	via: i.via,
	recipient: i.recipient,
	createdAt: i.createdAt,
	expiresAt: i.expiresAt,
	sentAt: i.sentAt,
});

/** A session event as a feed shows it: names resolved, for toasts and the transcript's system lines. */
export interface FeedEvent {
	id: number;
	sessionId: string;
	type: SessionEvent['type'];
	at: number;
	/** Who it is about (joined, left, focused, control from). */
	who: string | null;
	/** Control went to. */
	to: string | null;
	/** Why (left/removed/handedOver; stop and end reasons). */
	reason: string | null;
	/** For activity events. */
	activity: string | null;
	/** A chat line's text, exactly as written (pages show it as text, never as HTML). */
	text: string | null;
	/** A chat line's writer (their participant id): a page tells its own lines from others'. */
	by: string | null;
	/** For file events: which file (everyone in the session sees that a file was sent, SPEC §9). */
	file?: { id: string; name: string; size: number };
}

export function describeEvent(
	id: number,
	sessionId: string,
	event: SessionEvent,
	before: SessionState | null,
	after: SessionState,
): FeedEvent {
	const nameOf = (pid: string | null | undefined) =>
		(pid && (after.participants.find((p) => p.id === pid) ?? before?.participants.find((p) => p.id === pid))?.name) || null;
	const base = { id, sessionId, type: event.type, at: event.at, who: null, to: null, reason: null, activity: null, text: null, by: null };
	switch (event.type) {
		case 'session.started':
			return { ...base, who: event.controller.name };
		case 'participant.joined':
			return { ...base, who: event.participant.name, reason: event.participant.role };
		case 'participant.left':
			return { ...base, who: nameOf(event.participantId), reason: event.reason };
		case 'customer.focused':
			return { ...base, who: nameOf(event.participantId) };
		case 'control.transferred':
			return { ...base, who: nameOf(event.from), to: nameOf(event.to), reason: event.fromLeaves ? 'andLeave' : null };
		case 'activity.started':
			return { ...base, who: nameOf(event.participantId), activity: event.activity };
		case 'activity.stopped':
			return { ...base, who: nameOf(event.participantId), activity: event.activity, reason: event.reason };
		case 'session.ended':
			return { ...base, who: nameOf(event.by), reason: event.reason };
		case 'invitation.created':
			return { ...base, who: nameOf(event.invitation.createdBy), reason: event.invitation.role };
		case 'invitation.revoked':
			return { ...base, who: nameOf(event.by) };
		case 'invitation.sent':
		case 'invitation.notSent':
			return base;
		case 'media.failed':
			return { ...base, who: nameOf(event.participantId), activity: event.action, reason: event.reason };
		case 'session.requested':
			return { ...base, who: event.customer.name };
		case 'session.accepted':
			return { ...base, who: event.controller.name };
		case 'session.handedOver':
			return { ...base, who: event.handover.fromName };
		case 'chat.posted':
			return { ...base, who: event.name, text: event.text, by: event.participantId };
		case 'mark.drawn':
			return { ...base, who: nameOf(event.mark.by), by: event.mark.share };
		case 'marks.cleared':
			return { ...base, who: nameOf(event.by), by: event.share };
		case 'offer.made':
		case 'offer.declined':
		case 'offer.expired':
		case 'handover.moved':
		case 'transcript.requested':
		case 'transcript.sent':
		case 'transcript.notSent':
		case 'survey.answered':
			return base;
		case 'file.offered': {
			const f = event.file;
			return {
				...base,
				who: f.sender.name,
				to: f.recipients.map((r) => r.name).join(', '),
				file: { id: f.id, name: f.name, size: f.size },
			};
		}
		case 'file.accepted':
			return { ...base, who: nameOf(event.participantId), ...fileOf(event.fileId) };
		case 'file.uploadStarted':
		case 'file.uploaded':
		case 'file.expired':
			return { ...base, who: fileIn(event.fileId)?.sender.name ?? null, ...fileOf(event.fileId) };
		case 'file.cancelled':
			return { ...base, who: nameOf(event.by), reason: event.reason, ...fileOf(event.fileId) };
	}

	function fileIn(fileId: string): FileRecord | undefined {
		return filesOf(after).find((f) => f.id === fileId) ?? (before ? filesOf(before).find((f) => f.id === fileId) : undefined);
	}
	function fileOf(fileId: string): { file?: { id: string; name: string; size: number } } {
		const f = fileIn(fileId);
		return f ? { file: { id: f.id, name: f.name, size: f.size } } : {};
	}
}
