// The support session as the rules see it: participants, who controls, what is going on.
// Pure data; `decide` and `evolve` are the only code that reasons about it.

/** The media a participant sends (SPEC §9): a screen or window, a camera, a microphone — the SFU's own word. */
import type { MediaSource } from '@tandem/sfu-contract';
import type { Handover, Offer, OfferId, QueueId } from '../acd/model.ts';

export type { MediaSource };

export type SessionId = string;
export type ParticipantId = string;
export type RepId = string;
export type InvitationId = string;

export type SessionStatus = 'live' | 'waiting' | 'ended';
export type ParticipantRole = 'controller' | 'assistant' | 'customer';

export interface Participant {
	id: ParticipantId;
	role: ParticipantRole;
	/** Set for reps (controller, assistants); absent for customers. */
	repId?: RepId;
	name: string;
	joinedAt: number;
	/** A rep console supports voice when the rep's Voice calls setting is on and a microphone was granted. */
	voiceCapable: boolean;
}

/** Support activities in progress (SPEC §9); the media effect keeps the SFU in step with them. */
export interface Activities {
	/** Who is sharing a desktop or an application (the rep and/or customers). */
	sharing: ParticipantId[];
	/** Whose webcam is on. */
	video: ParticipantId[];
	recording: boolean;
	voiceCall: boolean;
}

/**
 * A mark drawn over a shared screen (SPEC §9, remote pointer and annotation): an arrow (from, to) or a freehand
 * line, its points relative to the shared surface (0–1 across, 0–1 down) so that every viewer, whatever the
 * size of their view, sees it in the same place. `share`: whose shared screen it is on.
 */
export interface Mark {
	id: string;
	share: ParticipantId;
	kind: MarkKind;
	points: MarkPoint[];
	by: ParticipantId;
	at: number;
}
export type MarkKind = 'arrow' | 'freehand';
export type MarkPoint = [number, number];
/** A freehand line's points at most (a page thins a longer stroke before sending it). */
export const MARK_POINTS_MAX = 400;
/** The marks a session keeps showing; older ones fade from the view (the log keeps every one). */
export const MARKS_KEPT = 100;

/** File transfers are not an activity of their own: each file is a record (`SessionState.files`). */
export type Activity = 'sharing' | 'video' | 'recording' | 'voiceCall';

/** Whom an invitation invites (SPEC §3): a customer, or a support rep who will assist. */
export type InvitedRole = 'customer' | 'rep';
/** How the rep passes it on: e-mail sent by Tandem, their own e-mail program, or a copied link. */
export type InvitationChannel = 'email' | 'mailto' | 'link';

/** An invitation link (SPEC §3). Its token is not here: only its hash is kept, beside the session. */
export interface Invitation {
	id: InvitationId;
	role: InvitedRole;
	via: InvitationChannel;
	recipient: string | null;
	createdBy: ParticipantId;
	createdAt: number;
	expiresAt: number;
	/** When Tandem's e-mail went out (via 'email' only). */
	sentAt: number | null;
	/** Why Tandem's e-mail did not go out; such an invitation is withdrawn. */
	sendError: string | null;
	revokedAt: number | null;
}

export type FileId = string;

/**
 * Where a file transfer is (SPEC §9): offered (the receiver sees name, size and sender), uploading (the
 * sender's bytes arrive), complete (all bytes there, SHA-256 recorded: downloadable), cancelled (before it
 * was complete: its partial data is removed), expired (complete, then kept for the retention period).
 */
export type FileStatus = 'offered' | 'uploading' | 'complete' | 'cancelled' | 'expired';

/** Why a transfer ended before it was complete: someone cancelled it, or what happened to the session. */
export type FileCancelReason = 'cancelled' | 'controlTransferred' | 'sessionTransferred' | 'participantLeft' | 'sessionEnded';

/** A sender or recipient as they were when the file was offered (their names stay after they leave). */
export interface FileParty {
	participantId: ParticipantId;
	name: string;
	/** Set for reps: who may download it later is asked by rep as well as by participant. */
	repId?: RepId;
}

/** One file transfer between the controlling rep and customers (SPEC §9), as the rules know it. */
export interface FileRecord {
	id: FileId;
	sender: FileParty;
	/** One customer, every customer of the session, or (a customer's file) the controlling rep. */
	recipients: FileParty[];
	/** Cleaned (fileNames.ts): no path parts, no control characters, bounded. */
	name: string;
	/** Bytes, as offered; the upload must be exactly this long. */
	size: number;
	/** The media type the sender's browser gave (served only when safe, see files/download.ts). */
	mediaType: string;
	status: FileStatus;
	offeredAt: number;
	/** Recipients who accepted the offer (SPEC §9: the receiver accepts before downloading). */
	acceptedBy: ParticipantId[];
	/** Hex SHA-256 of the bytes, computed by the server as they arrived; set once complete. */
	sha256: string | null;
	completedAt: number | null;
	cancelled: { at: number; reason: FileCancelReason; by: ParticipantId | null } | null;
	expiredAt: number | null;
}

export interface SessionState {
	id: SessionId;
	number: string;
	status: SessionStatus;
	/** The one controlling rep; null only while a session handed to WebACD waits for an agent, or after the end. */
	controllerId: ParticipantId | null;
	/** Present participants, in joining order. */
	participants: Participant[];
	/** The customer the rep focuses on (SPEC §5). */
	focusedCustomerId: ParticipantId | null;
	activities: Activities;
	/** Every invitation of the session, in the order made (revoked and expired ones too: the record). */
	invitations: Invitation[];
	/** Every file transfer of the session, in the order offered (snapshots stored before files have none). */
	files: FileRecord[];
	/** While it waits for a WebACD agent (SPEC §7, §8): where it waits, since when, the offers out. */
	handover: Handover | null;
	/** The latest chat messages' ids: a message sent again (a retry after a dropped connection) is not posted twice. */
	recentChatIds?: string[];
	/** Addresses customers gave (Get help's e-mail): the closing screen offers to mail them the transcript there. */
	contacts?: Record<ParticipantId, string>;
	/** Each customer's transcript mail (SPEC §9): one per customer per session; one that did not go out may be asked again. */
	transcriptMails?: Record<ParticipantId, TranscriptMail>;
	/** The customers who answered the survey, with their rating: once per customer per session (SPEC §10). */
	surveys?: Record<ParticipantId, number>;
	/** Since when the recording that is on has been running (the REC badge's elapsed time). */
	recordingSince?: number;
	/** Marks the controlling rep drew over shared screens (SPEC §9), the latest MARKS_KEPT; gone with their share. */
	marks?: Mark[];
	/** Taken from WebACD: the queue it came from and when an agent accepted it (its handling time, SPEC §8). */
	servedFrom?: { queueId: QueueId | null; since: number } | null;
	startedAt: number;
	endedAt: number | null;
	/** Number of events applied; the next event's sequence number within the session. */
	version: number;
}

/** Where a customer's transcript mail is: asked (going out), sent, or not sent (the customer may try again). */
export type TranscriptMail = { to: string; status: 'requested' | 'sent' | 'notSent' };

export const noActivities = (): Activities => ({
	sharing: [],
	video: [],
	recording: false,
	voiceCall: false,
});

// ------------------------------------------------------------------ events

export type LeaveReason = 'left' | 'removed' | 'handedOver';
export type StopReason =
	'stopped' | 'controlTransferred' | 'sessionTransferred' | 'focusChanged' | 'participantLeft' | 'sessionEnded' | 'mediaEnded';
export type EndReason = 'ended' | 'consoleClosed' | 'connectionLost' | 'customerLeft';

export type SessionEvent =
	| { type: 'session.started'; at: number; sessionId: SessionId; number: string; controller: Participant }
	/** A customer asked for help (Get help, SPEC §8): a session that waits in a queue, with them in it. */
	| { type: 'session.requested'; at: number; sessionId: SessionId; number: string; customer: Participant; handover: Handover }
	/** Routing offered the waiting session to agents (SPEC §8). */
	| { type: 'offer.made'; at: number; offers: Offer[] }
	| { type: 'offer.declined'; at: number; offerId: OfferId; repId: RepId }
	| { type: 'offer.expired'; at: number; offerId: OfferId; repId: RepId }
	/** An agent accepted: they control it, and every other offer of it is withdrawn. */
	| { type: 'session.accepted'; at: number; offerId: OfferId; controller: Participant }
	/** The controlling agent handed the session to WebACD (SPEC §7): it waits for an agent, where this says. */
	| { type: 'session.handedOver'; at: number; handover: Handover }
	/** Nobody took it where it waited: a new round there, or on to the fallback queue (SPEC §7). */
	| { type: 'handover.moved'; at: number; queueId: QueueId | null; round: number; ahead: boolean }
	| { type: 'participant.joined'; at: number; participant: Participant; invitationId?: InvitationId }
	/** A line of the session's chat (SPEC §9): its writer's name as it was, the text as written (never HTML). */
	| { type: 'chat.posted'; at: number; messageId: string; participantId: ParticipantId; name: string; text: string }
	/** A customer asked for the transcript by mail at the end; then whether it went out. */
	| { type: 'transcript.requested'; at: number; participantId: ParticipantId; to: string; language: 'en' | 'sr' }
	| { type: 'transcript.sent'; at: number; participantId: ParticipantId }
	| { type: 'transcript.notSent'; at: number; participantId: ParticipantId; error: string }
	/** A customer's post-session survey (SPEC §10): a rating of 1–5 and an optional comment. */
	| { type: 'survey.answered'; at: number; participantId: ParticipantId; rating: number; comment: string }
	| { type: 'participant.left'; at: number; participantId: ParticipantId; reason: LeaveReason }
	| { type: 'customer.focused'; at: number; participantId: ParticipantId }
	/** The controlling rep drew a mark over a shared screen (SPEC §9). */
	| { type: 'mark.drawn'; at: number; mark: Omit<Mark, 'at'> }
	/** Clear: the marks on one shared screen (or on every one: share null) are gone. */
	| { type: 'marks.cleared'; at: number; share: ParticipantId | null; by: ParticipantId }
	| { type: 'control.transferred'; at: number; from: ParticipantId; to: ParticipantId; fromLeaves: boolean }
	| { type: 'activity.started'; at: number; activity: Activity; participantId: ParticipantId }
	| { type: 'activity.stopped'; at: number; activity: Activity; participantId: ParticipantId | null; reason: StopReason }
	| { type: 'session.ended'; at: number; by: ParticipantId | null; reason: EndReason }
	| {
			type: 'invitation.created';
			at: number;
			invitation: Pick<Invitation, 'id' | 'role' | 'via' | 'recipient' | 'createdBy' | 'expiresAt'>;
	  }
	| { type: 'invitation.sent'; at: number; invitationId: InvitationId }
	| { type: 'invitation.notSent'; at: number; invitationId: InvitationId; error: string }
	| { type: 'invitation.revoked'; at: number; invitationId: InvitationId; by: ParticipantId }
	/** What the media plane could not do; `participantId`: whose media it was (a browser that cannot reach it). */
	| { type: 'media.failed'; at: number; action: MediaAction; reason: string; participantId?: ParticipantId }
	/** A file is offered to its recipients (SPEC §9); its bytes come after, by upload. */
	| {
			type: 'file.offered';
			at: number;
			file: Pick<FileRecord, 'id' | 'sender' | 'recipients' | 'name' | 'size' | 'mediaType'>;
	  }
	/** A recipient accepted the offer: they may download it once complete; the sender sees it. */
	| { type: 'file.accepted'; at: number; fileId: FileId; participantId: ParticipantId }
	/** The sender's upload began (its storage exists from now until the file is cancelled or expires). */
	| { type: 'file.uploadStarted'; at: number; fileId: FileId }
	/** Every byte arrived; the server's SHA-256 of them. */
	| { type: 'file.uploaded'; at: number; fileId: FileId; size: number; sha256: string }
	/** The transfer ended before it was complete; its partial data is removed (files effect). */
	| { type: 'file.cancelled'; at: number; fileId: FileId; reason: FileCancelReason; by: ParticipantId | null }
	/** Kept for the retention period, then its bytes were removed: downloads say it is gone. */
	| { type: 'file.expired'; at: number; fileId: FileId };

/** What the media effect asks of the SFU when a session's events say so. */
/** What the media plane could not do (`connect`: a participant's browser could not reach it at all). */
/** What the media plane could not do (the media effect's calls, `connect`), or what a page lost (`send`, `receive`). */
export type MediaAction =
	'closeProducers' | 'stopRecording' | 'startRecording' | 'closeParticipant' | 'closeSession' | 'connect' | 'send' | 'receive';

export type SessionEventType = SessionEvent['type'];

// ------------------------------------------------------------------ commands

export type Command =
	| { type: 'start'; sessionId: SessionId; number: string; participantId: ParticipantId }
	/** A customer asks for help without a number (Get help, SPEC §8). */
	| {
			type: 'requestHelp';
			sessionId: SessionId;
			number: string;
			participantId: ParticipantId;
			name: string;
			problem: string;
			email: string | null;
			queueId: QueueId;
	  }
	/** Routing offers the waiting session to agents, each offer until it expires. Told by the system. */
	| { type: 'offerSession'; offers: { offerId: OfferId; repId: RepId; expiresAt: number }[] }
	| { type: 'acceptOffer'; offerId: OfferId; participantId: ParticipantId }
	| { type: 'declineOffer'; offerId: OfferId }
	/** An offer's time is up. Told by the system. */
	| { type: 'expireOffer'; offerId: OfferId }
	/** Transfer session (SPEC §7): to exactly one queue, or to one or more agents, with a personal message. */
	| { type: 'transferSession'; queueId: QueueId | null; agents: RepId[]; message: string }
	/** Everyone who could take it let it pass: round again, or on to `queueId` (the fallback queue). Told by the system. */
	| { type: 'nextRound'; queueId: QueueId | null }
	| { type: 'joinAsCustomer'; participantId: ParticipantId; name: string; invitationId?: InvitationId }
	| { type: 'assist'; participantId: ParticipantId; invitationId?: InvitationId }
	| { type: 'focusCustomer'; participantId: ParticipantId }
	/** Anyone in the session writes in its chat; `messageId` is the page's, so a retry posts once. */
	| { type: 'postChat'; messageId: string; text: string }
	/** A customer, once the session has ended, has its transcript mailed to them (SPEC §9). */
	| { type: 'requestTranscript'; to: string; language: 'en' | 'sr' }
	/** The outcome of the transcript's mail: sent (error null) or not. Told by the system. */
	| { type: 'recordTranscriptMail'; participantId: ParticipantId; error: string | null }
	/** A customer rates the session once it has ended (SPEC §10). */
	| { type: 'answerSurvey'; rating: number; comment: string }
	| { type: 'transferControl'; to: ParticipantId; leave: boolean }
	/** The controlling rep draws over a screen being shared; `share`: whose. */
	| { type: 'drawMark'; markId: string; share: ParticipantId; kind: MarkKind; points: MarkPoint[] }
	/** The controlling rep clears the marks on one shared screen, or on all (share null). */
	| { type: 'clearMarks'; share: ParticipantId | null }
	/** The controlling rep points at a shared screen: asked of the rules, never stored (the pointer is told, not logged). */
	| { type: 'point'; share: ParticipantId }
	| { type: 'leave' }
	| { type: 'removeParticipant'; participantId: ParticipantId }
	| { type: 'end' }
	| { type: 'startActivity'; activity: Activity }
	| { type: 'stopActivity'; activity: Activity; participantId?: ParticipantId }
	| { type: 'endForLostConsole'; reason: 'consoleClosed' | 'connectionLost' }
	| {
			type: 'createInvitation';
			invitationId: InvitationId;
			role: InvitedRole;
			via: InvitationChannel;
			recipient: string | null;
			/** How long the link works (the site's invitation expiry). */
			validForMs: number;
	  }
	/** The outcome of Tandem's e-mail for an invitation: sent (error null) or not. Told by the system. */
	| { type: 'recordInvitationMail'; invitationId: InvitationId; error: string | null }
	| { type: 'revokeInvitation'; invitationId: InvitationId }
	/** A participant sends a screen, a camera or a microphone (the media router asks before the SFU is told). */
	| { type: 'sendMedia'; source: MediaSource }
	/** The media plane lost a participant's media (transport failed) or a whole worker: the system stops what it carried. */
	| { type: 'mediaEnded'; activity?: Activity; participantId?: ParticipantId }
	/**
	 * A participant's page lost its connection to the media server (its transport went 'disconnected' or
	 * 'failed'): the others are told. What it sent is gone with a lost `send` connection: it stops.
	 */
	| { type: 'reportMediaLost'; direction: 'send' | 'receive' }
	/** The media effect could not do what the events asked: the system records it (and what it leaves stopped). */
	| { type: 'recordMediaFailure'; action: MediaAction; reason: string; participantId?: ParticipantId }
	/**
	 * Send file (SPEC §9): the controlling rep to one customer (`to`; null: the one in focus) or to every
	 * customer; a customer to the controlling rep (`to` null). The bytes follow by upload (`uploadFile`).
	 */
	| { type: 'offerFile'; fileId: FileId; to: ParticipantId | 'everyCustomer' | null; name: string; size: number; mediaType: string }
	/** A recipient accepts a file offered to them. */
	| { type: 'acceptFile'; fileId: FileId }
	/**
	 * The sender uploads the file's bytes: creates the upload (`length`: its Upload-Length) or goes on with it
	 * (`length` null, asked of every later upload request; it changes nothing).
	 */
	| { type: 'uploadFile'; fileId: FileId; length: number | null }
	/** Every byte of an upload arrived, with the server's SHA-256. Told by the system. */
	| { type: 'fileUploaded'; fileId: FileId; size: number; sha256: string }
	/** Cancel a transfer not yet complete: the controlling rep any, a sender their own. */
	| { type: 'cancelFile'; fileId: FileId }
	/** A complete file's retention period is over. Told by the system. */
	| { type: 'expireFile'; fileId: FileId };

export type CommandOf<K extends CommandType> = Extract<Command, { type: K }>;

export type CommandType = Command['type'];

// ------------------------------------------------------------------ actors and what decide needs to know about them

export type SessionMode = 'single' | 'multi';

/** A rep's roles (SPEC §1): they combine; an account with none of rep's gives no support. */
export interface RepRoles {
	rep: boolean;
	admin: boolean;
	agent: boolean;
}

/** What the rules need about a rep beyond one session: roles, limits and current load (SPEC §1, §2, §5). */
export interface RepLoad {
	repId: RepId;
	name: string;
	roles: RepRoles;
	mode: SessionMode;
	/** Site maximum of sessions a rep controls at once (multi-session mode). */
	maxSessions: number;
	/** Maximum customers this rep may help at once, over every session they control. */
	maxCustomers: number;
	/** Live sessions this rep controls now. */
	controlledSessions: number;
	/** Customers in the sessions this rep controls now. */
	customersHelped: number;
	voiceCapable: boolean;
}

export type Actor =
	| { kind: 'rep'; rep: RepLoad; participantId?: ParticipantId }
	| { kind: 'customer'; participantId: ParticipantId | null }
	| { kind: 'anonymous' }
	| { kind: 'system' };

/**
 * What a command needs beyond the session's state, by command: required, never optional, so a missing load
 * cannot silently skip a check. The command table (sessionCommands.ts) says how each is read.
 */
export interface SessionInputs {
	/** The load of the rep who controls the session; null while nobody does (it waits for an agent). */
	joinAsCustomer: { controllerLoad: RepLoad | null };
	/** The load of the rep control would go to; null when the target is not a rep present in the session. */
	transferControl: { targetLoad: RepLoad | null };
	/** The queue a customer asks for help in; null when there is none (or it was removed). */
	requestHelp: { queue: { id: QueueId; name: string; openToCustomers: boolean } | null };
	/** The accepting agent's load and how many sessions they take at once (SPEC §8). */
	acceptOffer: { agentLoad: (RepLoad & { capacity: number }) | null };
	/** Where a transfer goes: the queue (null when none or removed), and each chosen agent's state. */
	transferSession: {
		targetQueue: { id: QueueId; name: string } | null;
		targetAgents: { repId: RepId; isAgent: boolean; state: 'available' | 'busy' | 'away' }[];
	};
	/** The site's file size limit in bytes (SPEC §9: default 100 MB), read when a file is offered… */
	offerFile: { fileSizeLimit: number };
	/** …and again when its upload is created (an administrator may have lowered it meanwhile). */
	uploadFile: { fileSizeLimit: number };
}

export type InputsOf<K extends CommandType> = K extends keyof SessionInputs ? SessionInputs[K] : Record<never, never>;

export type DecideContext<K extends CommandType = CommandType> = { now: number } & InputsOf<K>;

// ------------------------------------------------------------------ refusals

/** Every way a command can be refused. Each code is also a message key in both languages. */
export const refusalCodes = [
	'notSignedIn',
	'sessionNotFound',
	'sessionEnded',
	'sessionWaiting',
	'sessionExists',
	'notInSession',
	'notController',
	'notARep',
	'singleSessionBusy',
	'maxSessionsReached',
	'customerLimitReached',
	'alreadyInSession',
	'controllerCannotLeave',
	'participantNotFound',
	'notACustomer',
	'notAnAssistant',
	'targetSingleSessionBusy',
	'targetOverloaded',
	'cannotRemoveSelf',
	'assistantsCannotDoThat',
	'activityAlreadyOn',
	'activityNotOn',
	'nameRequired',
	'alreadyFocused',
	'invitationNotFound',
	'invitationExpired',
	'invitationRevoked',
	'invitationWrongRole',
	'invalidEmail',
	// WebACD (SPEC §7, §8)
	'queueNotFound',
	'offerNotFound',
	'notYourOffer',
	'notAnAgent',
	'agentAtCapacity',
	'transferTargetRequired',
	'agentUnavailable',
	// Chat (SPEC §9)
	'messageEmpty',
	'sessionNotEnded',
	'transcriptAlreadySent',
	// Survey (SPEC §10)
	'surveyAlreadyAnswered',
	'invalidRating',
	'commentTooLong',
	// File transfer (SPEC §9)
	'fileNotFound',
	'fileEmpty',
	'fileTooLarge',
	'invalidFileName',
	'noRecipient',
	'notFileSender',
	'notFileRecipient',
	'fileSizeMismatch',
	'fileCancelled',
	'fileExpired',
	'fileAlreadyComplete',
	// Remote pointer and annotation (SPEC §9)
	'notShared',
	'invalidMark',
] as const;

export type RefusalCode = (typeof refusalCodes)[number];

export interface Refusal {
	code: RefusalCode;
}

export type Decision = { ok: true; events: SessionEvent[] } | { ok: false; refusal: Refusal };
