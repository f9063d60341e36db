// The rule table of a support session (SPEC §1–§6): every command, by every kind of actor,
// against every kind of session state — and what `decide` answers: the exact events it accepts, or the
// refusal code. One row per case; read the table, not the test code.
//
// States are built by replaying events through `evolve` (see `given`), never written by hand.
// Events are compared as one-line summaries (`summary` below) carrying the fields that matter.

import { describe, it, expect } from 'vitest';
import { decide } from './decide.ts';
import { evolve, replay } from './evolve.ts';
import {
	noActivities,
	type Activity,
	type Actor,
	type Command,
	type DecideContext,
	type InvitationChannel,
	type InvitedRole,
	type MediaAction,
	type MediaSource,
	type RefusalCode,
	type RepLoad,
	type SessionEvent,
	type SessionState,
	type SessionStatus,
} from './model.ts';
import { capabilitiesOf, fileCapabilitiesOf, type ParticipantCapabilities, type SessionCapabilities, type Viewer } from './capabilities.ts';
import { cleanFileName, FILE_NAME_MAX, fileNameProblem } from './fileNames.ts';
import { mayDownload } from './fileAccess.ts';
import { formatSessionNumber, generateSessionNumber, parseSessionNumber } from './sessionNumber.ts';

// ================================================================== people

const NOW = 1_000_000;
const DAY = 24 * 3600 * 1000;

function rep(name: string, over: Partial<RepLoad> = {}): RepLoad {
	return {
		repId: `r-${name.toLowerCase()}`,
		name,
		roles: { rep: true, admin: false, agent: false },
		mode: 'multi',
		maxSessions: 3,
		maxCustomers: 5,
		controlledSessions: 0,
		customersHelped: 0,
		voiceCapable: true,
		...over,
	};
}

const ANA = rep('Ana'); // starts and controls the session
const BOJAN = rep('Bojan'); // assists; console supports voice
const DARA = rep('Dara', { voiceCapable: false }); // assists; console without voice
const CECA = rep('Ceca'); // another rep, not in the session
const ZORAN = rep('Zoran', { roles: { rep: false, admin: true, agent: false } }); // an administrator, not a rep
const EVA = rep('Eva', { roles: { rep: true, admin: false, agent: true } }); // a WebACD agent
const FILIP = rep('Filip', { roles: { rep: true, admin: false, agent: true } }); // another agent
const REPS = [ANA, BOJAN, DARA, CECA, ZORAN, EVA, FILIP];

/** A rep's participant id in the session. */
const pid = (r: RepLoad) => `p-${r.name.toLowerCase()}`;
const C1 = 'c-1'; // first customer (Mira), focused on joining
const C2 = 'c-2'; // second customer (Nikola)

const actors = {
	controller: { kind: 'rep', rep: ANA },
	assistant: { kind: 'rep', rep: BOJAN },
	customer: { kind: 'customer', participantId: C1 },
	customer2: { kind: 'customer', participantId: C2 },
	newCustomer: { kind: 'customer', participantId: null },
	otherRep: { kind: 'rep', rep: CECA },
	adminOnly: { kind: 'rep', rep: ZORAN },
	anonymous: { kind: 'anonymous' },
	system: { kind: 'system' },
	// After control went from Ana to Bojan:
	'Ana (ex-controller)': { kind: 'rep', rep: ANA },
	'Bojan (new controller)': { kind: 'rep', rep: BOJAN },
	agent: { kind: 'rep', rep: EVA },
	otherAgent: { kind: 'rep', rep: FILIP },
} as const satisfies Record<string, Actor>;
type ActorName = keyof typeof actors;

// ================================================================== states, from events

class Given {
	readonly label: string;
	readonly events: readonly SessionEvent[];

	constructor(label: string, events: readonly SessionEvent[]) {
		this.label = label;
		this.events = events;
	}

	/** The state these events build, frozen so that any mutation by `evolve` throws. */
	state(): SessionState | null {
		return deepFreeze(replay(this.events));
	}

	named(label: string): Given {
		return new Given(label, this.events);
	}

	/** Any events (for states no helper makes). */
	then2(label: string, make: (at: number, s: SessionState | null) => SessionEvent[]): Given {
		return this.then(label, make);
	}

	private then(label: string, make: (at: number, s: SessionState | null) => SessionEvent[]): Given {
		const at = this.events.length + 1;
		return new Given(this.label === 'no session' ? label : `${this.label}, ${label}`, [...this.events, ...make(at, replay(this.events))]);
	}

	started(by: RepLoad = ANA): Given {
		return this.then('live', (at) => [
			{
				type: 'session.started',
				at,
				sessionId: 's-1',
				number: '123456789',
				controller: { id: pid(by), role: 'controller', repId: by.repId, name: by.name, joinedAt: at, voiceCapable: by.voiceCapable },
			},
		]);
	}

	customer(id: string, name: string): Given {
		return this.then(`+customer ${id}`, (at) => [
			{ type: 'participant.joined', at, participant: { id, role: 'customer', name, joinedAt: at, voiceCapable: false } },
		]);
	}

	assistant(r: RepLoad): Given {
		return this.then(`+assistant ${pid(r)}`, (at) => [
			{
				type: 'participant.joined',
				at,
				participant: { id: pid(r), role: 'assistant', repId: r.repId, name: r.name, joinedAt: at, voiceCapable: r.voiceCapable },
			},
		]);
	}

	/** An activity in progress; `by` defaults to the controller for the session-wide ones. */
	on(activity: Activity, by: string = pid(ANA)): Given {
		const what = activity === 'sharing' || activity === 'video' ? `${activity} by ${by}` : activity;
		return this.then(what, (at) => [{ type: 'activity.started', at, activity, participantId: by }]);
	}

	focused(id: string): Given {
		return this.then(`focus ${id}`, (at) => [{ type: 'customer.focused', at, participantId: id }]);
	}

	transferred(from: RepLoad, to: RepLoad): Given {
		return this.then(`control ${pid(from)}→${pid(to)}`, (at) => [
			{ type: 'control.transferred', at, from: pid(from), to: pid(to), fromLeaves: false },
		]);
	}

	/** The controller handed the session to WebACD (§7) and left: no controller until an agent accepts. */
	handedToQueue(): Given {
		return this.then('handed to WebACD', (at, s) => [
			{ type: 'participant.left', at, participantId: s!.controllerId!, reason: 'handedOver' },
		]);
	}

	/** A customer (c-1, Mira) asked for help in queue q-1 (Get help, SPEC §8). */
	requested(): Given {
		return this.then('waiting in q-1 (Get help by c-1)', (at) => [
			{
				type: 'session.requested',
				at,
				sessionId: 's-1',
				number: '123456789',
				customer: { id: C1, role: 'customer', name: 'Mira', joinedAt: at, voiceCapable: false },
				handover: {
					origin: 'getHelp',
					queueId: 'q-1',
					agents: null,
					round: 1,
					ahead: false,
					since: at,
					firstSince: at,
					message: null,
					problem: 'printer',
					email: null,
					fromName: null,
					offers: [],
					passedBy: [],
					fellBack: false,
				},
			},
		]);
	}

	offered(offerId: string, to: RepLoad, expiresAt = NOW + 30_000): Given {
		return this.then(`${offerId} to ${to.repId}`, (at) => [
			{ type: 'offer.made', at, offers: [{ id: offerId, repId: to.repId, madeAt: at, expiresAt }] },
		]);
	}

	accepted(offerId: string, by: RepLoad): Given {
		return this.then(`${offerId} accepted`, (at) => [
			{
				type: 'session.accepted',
				at,
				offerId,
				controller: { id: pid(by), role: 'controller', repId: by.repId, name: by.name, joinedAt: at, voiceCapable: by.voiceCapable },
			},
		]);
	}

	ended(): Given {
		return this.then('ended', (at, s) => [{ type: 'session.ended', at, by: s!.controllerId, reason: 'ended' }]);
	}

	/** An invitation made by the controller; live for a day unless `expiresAt` says otherwise. */
	invited(id: string, role: InvitedRole, over: { via?: InvitationChannel; recipient?: string; expiresAt?: number } = {}): Given {
		return this.then(`invitation ${id}`, (at, s) => [
			{
				type: 'invitation.created',
				at,
				invitation: {
					id,
					role,
					via: over.via ?? 'link',
					recipient: over.recipient ?? null,
					createdBy: s!.controllerId!,
					expiresAt: over.expiresAt ?? NOW + DAY,
				},
			},
		]);
	}

	revoked(id: string): Given {
		return this.then(`${id} revoked`, (at, s) => [{ type: 'invitation.revoked', at, invitationId: id, by: s!.controllerId! }]);
	}

	mailed(id: string): Given {
		return this.then(`${id} sent`, (at) => [{ type: 'invitation.sent', at, invitationId: id }]);
	}

	/** A file of `size` bytes offered by participant `from` to `to` (participants as they are in the session). */
	fileOffered(id: string, from: string, to: string[], size = 1000): Given {
		return this.then(`${id} offered ${from}→${to.join('+')}`, (at, s) => {
			const party = (pid: string) => {
				const p = s!.participants.find((x) => x.id === pid)!;
				return { participantId: p.id, name: p.name, ...(p.repId ? { repId: p.repId } : {}) };
			};
			return [
				{
					type: 'file.offered',
					at,
					file: { id, sender: party(from), recipients: to.map(party), name: `${id}.pdf`, size, mediaType: 'application/pdf' },
				},
			];
		});
	}

	fileUploading(id: string): Given {
		return this.then(`${id} uploading`, (at) => [{ type: 'file.uploadStarted', at, fileId: id }]);
	}

	/** Complete, with the size it was offered with. */
	fileUploaded(id: string): Given {
		return this.then(`${id} complete`, (at, s) => [
			{ type: 'file.uploaded', at, fileId: id, size: s!.files.find((f) => f.id === id)!.size, sha256: SHA },
		]);
	}

	fileAccepted(id: string, by: string): Given {
		return this.then(`${id} accepted by ${by}`, (at) => [{ type: 'file.accepted', at, fileId: id, participantId: by }]);
	}

	fileCancelled(id: string): Given {
		return this.then(`${id} cancelled`, (at, s) => [{ type: 'file.cancelled', at, fileId: id, reason: 'cancelled', by: s!.controllerId }]);
	}

	fileExpired(id: string): Given {
		return this.then(`${id} expired`, (at) => [{ type: 'file.expired', at, fileId: id }]);
	}
}

/** A SHA-256 as the server records it (hex). */
const SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** The site's file size limit the rows run with (100 MB). */
const LIMIT = 100 * 1024 * 1024;

const given = () => new Given('no session', []);

const NONE = given();
const ALONE = given().started().named('live, rep alone');
const ONE = given().started().customer(C1, 'Mira').named('live, 1 customer');
const FULL = given().started().customer(C1, 'Mira').customer(C2, 'Nikola').assistant(BOJAN).named('live, 2 customers + assistant');
const SHARING_REP = FULL.on('sharing', pid(ANA)).named('live, sharing by rep');
const SHARING_CUSTOMER = FULL.on('sharing', C1).named('live, sharing by customer c-1');
const SHARING_BOTH = FULL.on('sharing', pid(ANA)).on('sharing', C1).named('live, sharing by rep and by c-1');
const VIDEO = FULL.on('video', pid(ANA)).on('video', C2).named('live, video of rep and c-2');
const RECORDING = FULL.on('recording').named('live, recording');
const VOICE = FULL.on('voiceCall').named('live, voice call');
// File transfer (§9): Ana's file f-1 to Mira (c-1), as it goes; Mira's f-2 to Ana; Ana's f-3 to both customers.
const FILE_OFFERED = FULL.fileOffered('f-1', pid(ANA), [C1]).named('live, f-1 offered p-ana→c-1');
const FILE_ACCEPTED = FILE_OFFERED.fileAccepted('f-1', C1).named('live, f-1 offered p-ana→c-1 and accepted');
const FILE_UPLOADING = FILE_OFFERED.fileUploading('f-1').named('live, f-1 p-ana→c-1 uploading');
const FILE_DONE = FILE_UPLOADING.fileUploaded('f-1').named('live, f-1 p-ana→c-1 complete');
const FILE_CANCELLED = FILE_UPLOADING.fileCancelled('f-1').named('live, f-1 p-ana→c-1 cancelled');
const FILE_EXPIRED = FILE_DONE.fileExpired('f-1').named('live, f-1 p-ana→c-1 expired');
const FILE_DONE_ENDED = FILE_DONE.ended().named('ended, f-1 complete');
const FILE_FROM_CUSTOMER = FULL.fileOffered('f-2', C1, [pid(ANA)])
	.fileUploading('f-2')
	.named('live, f-2 c-1→p-ana uploading');
const FILE_TO_BOTH = FULL.fileOffered('f-3', pid(ANA), [C1, C2]).named('live, f-3 offered p-ana→c-1+c-2');
const EVERYTHING = FULL.on('sharing', pid(ANA))
	.on('sharing', C1)
	.on('video', pid(ANA))
	.on('video', C2)
	.on('recording')
	.on('voiceCall')
	.fileOffered('f-1', pid(ANA), [C1])
	.fileUploading('f-1')
	.fileOffered('f-0', C2, [pid(ANA)])
	.fileUploading('f-0')
	.fileUploaded('f-0')
	.named('live, everything on (sharing rep+c-1, video rep+c-2, recording, voice, f-1 p-ana→c-1 uploading, f-0 c-2→p-ana complete)');
const EVERYTHING_DARA = EVERYTHING.assistant(DARA).named('live, everything on, + assistant p-dara without voice');
const WAITING = FULL.handedToQueue().named('waiting (no controller)');
const WAITING_SHARING = WAITING.on('sharing', C1).named('waiting, sharing by c-1');
const TRANSFERRED = FULL.transferred(ANA, BOJAN).named('live, control went Ana→Bojan');
const ENDED = FULL.ended().named('ended');
// Invitations (§3): live ones of each role, an expired and a revoked one of each, and an e-mail one.
const INVITED = ONE.invited('i-c', 'customer')
	.invited('i-r', 'rep')
	.invited('i-old', 'customer', { expiresAt: NOW })
	.invited('i-r-old', 'rep', { expiresAt: NOW - 1 })
	.invited('i-gone', 'customer')
	.revoked('i-gone')
	.invited('i-r-gone', 'rep')
	.revoked('i-r-gone')
	.invited('i-mail', 'customer', { via: 'email', recipient: 'vesna@example.com' })
	.named('live, 1 customer, invitations i-c i-r (live), i-old i-r-old (expired), i-gone i-r-gone (revoked), i-mail (e-mail, not yet sent)');
const INVITED_SENT = INVITED.mailed('i-mail').named('live, invitations, i-mail sent');
const INVITED_FULL = FULL.invited('i-c', 'customer').invited('i-r', 'rep').named('live, 2 customers + assistant, invitations i-c i-r');
const INVITED_TRANSFERRED = INVITED_FULL.transferred(ANA, BOJAN).named('live, invitations i-c i-r by Ana, control went Ana→Bojan');
const INVITED_ENDED = INVITED_FULL.ended().named('ended, invitations i-c i-r');
const INVITED_WAITING = INVITED_FULL.handedToQueue().named('waiting, invitations i-c i-r');
// WebACD (§8): a Get help request, offered to Eva, to both agents, accepted.
const REQUESTED = given().requested().named('waiting in q-1 (Get help by c-1)');
const OFFERED = REQUESTED.offered('o-1', EVA).named('waiting, o-1 to Eva');
const OFFERED_BOTH = OFFERED.offered('o-2', FILIP).named('waiting, o-1 to Eva, o-2 to Filip');
const OFFER_LATE = REQUESTED.offered('o-1', EVA, NOW - 1).named('waiting, o-1 to Eva whose time is up');
const TAKEN = OFFERED_BOTH.accepted('o-1', EVA).named('o-1 accepted by Eva (o-2 withdrawn)');
// Transfer session (§7): Eva, an agent, controls a session with a customer, an assistant and everything on.
const EVA_LIVE = given().started(EVA).customer(C1, 'Mira').assistant(BOJAN).named('live under agent Eva, 1 customer + assistant');
const EVA_BUSY = EVA_LIVE.on('sharing', C1)
	.on('video', pid(EVA))
	.on('recording')
	.on('voiceCall')
	.named('live under Eva, sharing c-1, video, recording, voice');
// Chat (§9): a line already posted; a transcript asked for at the end, and one that did not go out.
const CHATTED = ONE.then2('chat m-1 posted by c-1', (at) => [
	{ type: 'chat.posted', at, messageId: 'm-1', participantId: C1, name: 'Mira', text: 'Hello' },
]);
const ASKED = ENDED.then2('transcript asked by c-1', (at) => [
	{ type: 'transcript.requested', at, participantId: C1, to: 'mira@example.com', language: 'en' },
]);
const SURVEYED = ENDED.then2('survey answered by c-1', (at) => [
	{ type: 'survey.answered', at, participantId: C1, rating: 4, comment: 'Quick' },
]);
// Remote pointer and annotation (§9): Ana drew on c-1's shared screen; both the rep and c-1 share.
const MARKED = SHARING_BOTH.then2('m-1 drawn on c-1, m-2 on p-ana', (at) => [
	{
		type: 'mark.drawn',
		at,
		mark: {
			id: 'm-1',
			share: C1,
			kind: 'arrow',
			points: [
				[0.1, 0.1],
				[0.2, 0.2],
			],
			by: pid(ANA),
		},
	},
	{
		type: 'mark.drawn',
		at,
		mark: {
			id: 'm-2',
			share: pid(ANA),
			kind: 'freehand',
			points: [
				[0, 0],
				[1, 1],
			],
			by: pid(ANA),
		},
	},
]);
const ASKED_NOT_SENT = ASKED.then2('not sent', (at) => [{ type: 'transcript.notSent', at, participantId: C1, error: 'refused' }]);
const HANDED = EVA_LIVE.then2('handed to q-1', (at) => [
	{
		type: 'session.handedOver',
		at,
		handover: {
			origin: 'transfer',
			queueId: 'q-1',
			agents: null,
			round: 1,
			ahead: true,
			since: at,
			firstSince: at,
			message: null,
			problem: null,
			email: null,
			fromName: 'Eva',
			offers: [],
			passedBy: [],
			fellBack: false,
		},
	},
	{ type: 'participant.left', at, participantId: pid(EVA), reason: 'handedOver' },
]);

// ================================================================== commands

const cmd = {
	start: (participantId = pid(ANA)): Command => ({ type: 'start', sessionId: 's-2', number: '987654321', participantId }),
	join: (name = 'Vesna', participantId = 'c-new'): Command => ({ type: 'joinAsCustomer', participantId, name }),
	joinByLink: (invitationId: string, name = 'Vesna', participantId = 'c-new'): Command => ({
		type: 'joinAsCustomer',
		participantId,
		name,
		invitationId,
	}),
	assist: (r: RepLoad = CECA): Command => ({ type: 'assist', participantId: pid(r) }),
	assistByLink: (invitationId: string, r: RepLoad = CECA): Command => ({ type: 'assist', participantId: pid(r), invitationId }),
	invite: (role: InvitedRole, via: InvitationChannel = 'link', recipient: string | null = null, invitationId = 'i-new'): Command => ({
		type: 'createInvitation',
		invitationId,
		role,
		via,
		recipient,
		validForMs: DAY,
	}),
	revoke: (invitationId: string): Command => ({ type: 'revokeInvitation', invitationId }),
	offerFile: (to: string | 'everyCustomer' | null = null, over: { name?: string; size?: number; fileId?: string } = {}): Command => ({
		type: 'offerFile',
		fileId: over.fileId ?? 'f-new',
		to,
		name: over.name ?? 'report.pdf',
		size: over.size ?? 1000,
		mediaType: 'application/pdf',
	}),
	acceptFile: (fileId = 'f-1'): Command => ({ type: 'acceptFile', fileId }),
	uploadFile: (length: number | null = 1000, fileId = 'f-1'): Command => ({ type: 'uploadFile', fileId, length }),
	fileUploaded: (size = 1000, fileId = 'f-1'): Command => ({ type: 'fileUploaded', fileId, size, sha256: SHA }),
	cancelFile: (fileId = 'f-1'): Command => ({ type: 'cancelFile', fileId }),
	expireFile: (fileId = 'f-1'): Command => ({ type: 'expireFile', fileId }),
	mailResult: (invitationId: string, error: string | null = null): Command => ({ type: 'recordInvitationMail', invitationId, error }),
	focus: (participantId: string): Command => ({ type: 'focusCustomer', participantId }),
	transfer: (to: string, leave = false): Command => ({ type: 'transferControl', to, leave }),
	leave: (): Command => ({ type: 'leave' }),
	remove: (participantId: string): Command => ({ type: 'removeParticipant', participantId }),
	end: (): Command => ({ type: 'end' }),
	startA: (activity: Activity): Command => ({ type: 'startActivity', activity }),
	stopA: (activity: Activity, participantId?: string): Command =>
		participantId ? { type: 'stopActivity', activity, participantId } : { type: 'stopActivity', activity },
	lostConsole: (reason: 'consoleClosed' | 'connectionLost' = 'consoleClosed'): Command => ({ type: 'endForLostConsole', reason }),
	send: (source: MediaSource): Command => ({ type: 'sendMedia', source }),
	mediaFailed: (action: MediaAction, reason = 'sfu down'): Command => ({ type: 'recordMediaFailure', action, reason }),
	help: (name = 'Vesna'): Command => ({
		type: 'requestHelp',
		sessionId: 's-2',
		number: '987654321',
		participantId: 'c-new',
		name,
		problem: 'printer',
		email: null,
		queueId: 'q-1',
	}),
	offer: (...offers: [string, RepLoad][]): Command => ({
		type: 'offerSession',
		offers: offers.map(([offerId, r]) => ({ offerId, repId: r.repId, expiresAt: NOW + 30_000 })),
	}),
	accept: (offerId: string, by: RepLoad): Command => ({ type: 'acceptOffer', offerId, participantId: pid(by) }),
	decline: (offerId: string): Command => ({ type: 'declineOffer', offerId }),
	expire: (offerId: string): Command => ({ type: 'expireOffer', offerId }),
	toQueue: (queueId = 'q-1', message = 'Printer driver, see chat'): Command => ({ type: 'transferSession', queueId, agents: [], message }),
	toAgents: (agents: RepLoad[], message = ''): Command => ({
		type: 'transferSession',
		queueId: null,
		agents: agents.map((a) => a.repId),
		message,
	}),
	nextRound: (queueId: string | null = 'q-1'): Command => ({ type: 'nextRound', queueId }),
	chat: (text = 'Hello', messageId = 'm-1'): Command => ({ type: 'postChat', messageId, text }),
	transcript: (to = 'mira@example.com', language: 'en' | 'sr' = 'en'): Command => ({ type: 'requestTranscript', to, language }),
	survey: (rating = 5, comment = ''): Command => ({ type: 'answerSurvey', rating, comment }),
	draw: (
		share: string,
		points: [number, number][] = [
			[0.1, 0.2],
			[0.5, 0.6],
		],
		kind: 'arrow' | 'freehand' = 'arrow',
	): Command => ({
		type: 'drawMark',
		markId: 'm-new',
		share,
		kind,
		points,
	}),
	clearMarks: (share: string | null): Command => ({ type: 'clearMarks', share }),
	point: (share: string): Command => ({ type: 'point', share }),
	transcriptResult: (participantId: string, error: string | null = null): Command => ({
		type: 'recordTranscriptMail',
		participantId,
		error,
	}),
};

function describeCommand(c: Command): string {
	switch (c.type) {
		case 'start':
			return 'start';
		case 'joinAsCustomer':
			return `joinAsCustomer ${JSON.stringify(c.name)}${c.invitationId ? ` with ${c.invitationId}` : ''}`;
		case 'assist':
			return `assist as ${c.participantId}${c.invitationId ? ` with ${c.invitationId}` : ''}`;
		case 'createInvitation':
			return `createInvitation ${c.invitationId} ${c.role} by ${c.via}${c.recipient ? ` to ${c.recipient}` : ''}`;
		case 'revokeInvitation':
			return `revokeInvitation ${c.invitationId}`;
		case 'recordInvitationMail':
			return `recordInvitationMail ${c.invitationId} ${c.error === null ? 'sent' : `failed: ${c.error}`}`;
		case 'focusCustomer':
			return `focusCustomer ${c.participantId}`;
		case 'transferControl':
			return `transferControl to ${c.to}${c.leave ? ' and leave' : ''}`;
		case 'removeParticipant':
			return `removeParticipant ${c.participantId}`;
		case 'startActivity':
			return `startActivity ${c.activity}`;
		case 'stopActivity':
			return `stopActivity ${c.activity}${c.participantId ? ` of ${c.participantId}` : ''}`;
		case 'endForLostConsole':
			return `endForLostConsole ${c.reason}`;
		case 'sendMedia':
			return `sendMedia ${c.source}`;
		case 'recordMediaFailure':
			return `recordMediaFailure ${c.action}`;
		case 'offerSession':
			return `offerSession ${c.offers.map((o) => `${o.offerId}→${o.repId}`).join(' ')}`;
		case 'transferSession':
			return `transferSession to ${c.queueId ?? (c.agents.join('+') || 'nobody')}${c.queueId && c.agents.length ? ` and ${c.agents.join('+')}` : ''}`;
		case 'nextRound':
			return `nextRound to ${c.queueId ?? 'the same agents'}`;
		case 'acceptOffer':
		case 'declineOffer':
		case 'expireOffer':
			return `${c.type} ${c.offerId}`;
		case 'offerFile': {
			const name = [...c.name].length > 20 ? `${[...c.name].slice(0, 12).join('')}…(${[...c.name].length} code points)` : c.name;
			return `offerFile ${c.fileId} ${JSON.stringify(name)} ${c.size} B to ${c.to ?? 'default'}`;
		}
		case 'uploadFile':
			return `uploadFile ${c.fileId} ${c.length === null ? '(resume)' : `length ${c.length}`}`;
		case 'fileUploaded':
			return `fileUploaded ${c.fileId} ${c.size} B`;
		case 'acceptFile':
		case 'cancelFile':
		case 'expireFile':
			return `${c.type} ${c.fileId}`;
		default:
			return c.type;
	}
}

// ================================================================== events as one line each

function summary(e: SessionEvent): string {
	const who = (p: { id: string; role: string; name: string; repId?: string; voiceCapable: boolean }) =>
		`${p.id} ${p.role} "${p.name}"${p.repId ? ` (${p.repId}${p.voiceCapable ? ', voice' : ''})` : ''}`;
	switch (e.type) {
		case 'session.started':
			return `session.started ${e.number} ${who(e.controller)}`;
		case 'participant.joined':
			return `participant.joined ${who(e.participant)}${e.invitationId ? ` via ${e.invitationId}` : ''}`;
		case 'participant.left':
			return `participant.left ${e.participantId} ${e.reason}`;
		case 'customer.focused':
			return `customer.focused ${e.participantId}`;
		case 'control.transferred':
			return `control.transferred ${e.from}→${e.to}${e.fromLeaves ? ' and leaves' : ''}`;
		case 'activity.started':
			return `activity.started ${e.activity} ${e.participantId}`;
		case 'activity.stopped':
			return `activity.stopped ${e.activity}${e.participantId ? ` ${e.participantId}` : ''} ${e.reason}`;
		case 'session.ended':
			return `session.ended ${e.reason}${e.by ? ` by ${e.by}` : ''}`;
		case 'invitation.created': {
			const i = e.invitation;
			return `invitation.created ${i.id} ${i.role} by ${i.via}${i.recipient ? ` to ${i.recipient}` : ''} from ${i.createdBy}${i.expiresAt === NOW + DAY ? '' : ` until ${i.expiresAt}`}`;
		}
		case 'invitation.sent':
			return `invitation.sent ${e.invitationId}`;
		case 'invitation.notSent':
			return `invitation.notSent ${e.invitationId}: ${e.error}`;
		case 'invitation.revoked':
			return `invitation.revoked ${e.invitationId} by ${e.by}`;
		case 'media.failed':
			return `media.failed ${e.action}: ${e.reason}${e.participantId ? ` (${e.participantId})` : ''}`;
		case 'session.requested':
			return `session.requested ${e.customer.id} in ${e.handover.queueId}`;
		case 'offer.made':
			return `offer.made ${e.offers.map((o) => `${o.id}→${o.repId}`).join(' ')}`;
		case 'offer.declined':
			return `offer.declined ${e.offerId} by ${e.repId}`;
		case 'offer.expired':
			return `offer.expired ${e.offerId} of ${e.repId}`;
		case 'session.accepted':
			return `session.accepted ${e.offerId} by ${e.controller.id}`;
		case 'session.handedOver':
			return `session.handedOver to ${e.handover.queueId ?? e.handover.agents?.join('+')}${e.handover.message ? ` ${JSON.stringify(e.handover.message)}` : ''} from ${e.handover.fromName}`;
		case 'handover.moved':
			return `handover.moved to ${e.queueId ?? 'the same agents'} round ${e.round}${e.ahead ? ' ahead' : ''}`;
		case 'chat.posted':
			return `chat.posted ${e.messageId} ${e.participantId} "${e.name}": ${JSON.stringify(e.text)}`;
		case 'transcript.requested':
			return `transcript.requested ${e.participantId} to ${e.to} ${e.language}`;
		case 'transcript.sent':
			return `transcript.sent ${e.participantId}`;
		case 'transcript.notSent':
			return `transcript.notSent ${e.participantId}: ${e.error}`;
		case 'mark.drawn':
			return `mark.drawn ${e.mark.kind} on ${e.mark.share} by ${e.mark.by} (${e.mark.points.length} points)`;
		case 'marks.cleared':
			return `marks.cleared ${e.share ?? 'all'} by ${e.by}`;
		case 'survey.answered':
			return `survey.answered ${e.participantId} ${e.rating} "${e.comment}"`;
		case 'file.offered': {
			const f = e.file;
			const parties = [f.sender, ...f.recipients].map((p) => `${p.name}${p.repId ? ` (${p.repId})` : ''}`).join(', ');
			return `file.offered ${f.id} ${JSON.stringify(f.name)} ${f.size} B ${f.mediaType} from ${f.sender.participantId} to ${f.recipients.map((r) => r.participantId).join('+')} [${parties}]`;
		}
		case 'file.accepted':
			return `file.accepted ${e.fileId} by ${e.participantId}`;
		case 'file.uploadStarted':
			return `file.uploadStarted ${e.fileId}`;
		case 'file.uploaded':
			return `file.uploaded ${e.fileId} ${e.size} B ${e.sha256 === SHA ? 'sha256 SHA' : e.sha256}`;
		case 'file.cancelled':
			return `file.cancelled ${e.fileId} ${e.reason}${e.by ? ` by ${e.by}` : ''}`;
		case 'file.expired':
			return `file.expired ${e.fileId}`;
	}
}

/** What a row may check of the state after its events. */
interface Look {
	status: SessionStatus;
	controller: string | null;
	focused: string | null;
	/** `id:role` of present participants, in order. */
	roles: string;
	/** Activities still on, e.g. `voiceCall`, `sharing c-1`. */
	activities: string;
	/** Invitations with what happened to them, e.g. `i-c, i-gone revoked, i-mail sent`. */
	invitations: string;
	/** File transfers, e.g. `f-1 complete accepted c-1, f-2 cancelled`. */
	files: string;
	/** Marks shown over shared screens, e.g. `m-1 on c-1`. */
	marks: string;
}

function look(s: SessionState): Look {
	const a = s.activities;
	return {
		status: s.status,
		controller: s.controllerId,
		focused: s.focusedCustomerId,
		roles: s.participants.map((p) => `${p.id}:${p.role}`).join(' '),
		activities: [
			...a.sharing.map((id) => `sharing ${id}`),
			...a.video.map((id) => `video ${id}`),
			...(a.recording ? ['recording'] : []),
			...(a.voiceCall ? ['voiceCall'] : []),
		].join(', '),
		invitations: s.invitations
			.map((i) =>
				[i.id, i.sentAt !== null && 'sent', i.sendError !== null && 'notSent', i.revokedAt !== null && 'revoked'].filter(Boolean).join(' '),
			)
			.join(', '),
		files: s.files
			.map((f) => [f.id, f.status, ...(f.acceptedBy.length ? [`accepted ${f.acceptedBy.join('+')}`] : [])].join(' '))
			.join(', '),
		marks: (s.marks ?? []).map((m) => `${m.id} on ${m.share}`).join(', '),
	};
}

// ================================================================== the table

type Outcome = { refused: RefusalCode } | { events: string[] };
const refused = (code: RefusalCode): Outcome => ({ refused: code });
const ok = (...events: string[]): Outcome => ({ events });

/** Every load any command needs (SessionInputs); a row may override them. */
type Inputs = {
	controllerLoad?: RepLoad | null;
	targetLoad?: RepLoad | null;
	queue?: { id: string; name: string; openToCustomers: boolean } | null;
	agentLoad?: (RepLoad & { capacity: number }) | null;
	targetQueue?: { id: string; name: string } | null;
	targetAgents?: { repId: string; isAgent: boolean; state: 'available' | 'busy' | 'away' }[];
	fileSizeLimit?: number;
};

interface Case {
	given: Given;
	by: ActorName;
	do: Command;
	expect: Outcome;
	/** Overrides of the acting rep's limits and load. */
	load?: Partial<RepLoad>;
	/** The loads the command needs, when not those of the reps in the session as they are (see `inputsOf`). */
	ctx?: Inputs;
	/** What the state looks like after the accepted events. */
	then?: Partial<Look>;
	/** Why the row is there, when the name does not say it. */
	note?: string;
}

const idle = (r: RepLoad, over: Partial<RepLoad> = {}): RepLoad => ({ ...r, ...over });
/** Ana's load as seen when a customer joins: `helped` customers over all her sessions. */
const anaHelping = (helped: number, maxCustomers = 5): Inputs => ({
	controllerLoad: idle(ANA, { controlledSessions: 2, customersHelped: helped, maxCustomers }),
});
const target = (r: RepLoad, over: Partial<RepLoad> = {}): Inputs => ({ targetLoad: idle(r, over) });

const everythingStopped = (reason: string, { voice = true } = {}) => [
	`activity.stopped sharing p-ana ${reason}`,
	`activity.stopped sharing c-1 ${reason}`,
	`activity.stopped video p-ana ${reason}`,
	`activity.stopped video c-2 ${reason}`,
	`activity.stopped recording ${reason}`,
	...(voice ? [`activity.stopped voiceCall ${reason}`] : []),
	// The transfer in flight ends; Nikola's complete file stays.
	`file.cancelled f-1 ${reason}`,
];

const table: Case[] = [
	// ------------------------------------------------------------ start (§2)
	{
		given: NONE,
		by: 'controller',
		do: cmd.start(),
		expect: ok('session.started 987654321 p-ana controller "Ana" (r-ana, voice)'),
		then: { status: 'live', controller: 'p-ana', roles: 'p-ana:controller' },
	},
	{
		given: NONE,
		by: 'controller',
		do: cmd.start(),
		load: { mode: 'single', controlledSessions: 0 },
		expect: ok('session.started 987654321 p-ana controller "Ana" (r-ana, voice)'),
		note: 'single-session rep, free',
	},
	{ given: NONE, by: 'controller', do: cmd.start(), load: { mode: 'single', controlledSessions: 1 }, expect: refused('singleSessionBusy') },
	{
		given: NONE,
		by: 'controller',
		do: cmd.start(),
		load: { mode: 'multi', controlledSessions: 2, maxSessions: 3 },
		expect: ok('session.started 987654321 p-ana controller "Ana" (r-ana, voice)'),
		note: 'multi-session, one below the maximum',
	},
	{
		given: NONE,
		by: 'controller',
		do: cmd.start(),
		load: { mode: 'multi', controlledSessions: 3, maxSessions: 3 },
		expect: refused('maxSessionsReached'),
	},
	{
		given: NONE,
		by: 'controller',
		do: cmd.start(),
		load: { voiceCapable: false },
		expect: ok('session.started 987654321 p-ana controller "Ana" (r-ana)'),
		note: 'console without voice',
	},
	{ given: FULL, by: 'controller', do: cmd.start(), expect: refused('sessionExists') },
	{ given: ENDED, by: 'controller', do: cmd.start(), expect: refused('sessionExists'), note: 'a state, even ended, is never restarted' },
	{ given: NONE, by: 'newCustomer', do: cmd.start(), expect: refused('notARep') },
	{ given: NONE, by: 'anonymous', do: cmd.start(), expect: refused('notARep') },
	{ given: NONE, by: 'system', do: cmd.start(), expect: refused('notARep') },
	{ given: NONE, by: 'adminOnly', do: cmd.start(pid(ZORAN)), expect: refused('notARep'), note: 'an administrator who is not a rep' },

	// ------------------------------------------------------------ joinAsCustomer (§4, §5)
	{
		given: ALONE,
		by: 'newCustomer',
		do: cmd.join(),
		expect: ok('participant.joined c-new customer "Vesna"'),
		then: { focused: 'c-new' },
		note: 'the first customer is focused',
	},
	{
		given: ONE,
		by: 'newCustomer',
		do: cmd.join(),
		ctx: anaHelping(1),
		expect: ok('participant.joined c-new customer "Vesna"'),
		then: { focused: 'c-1', roles: 'p-ana:controller c-1:customer c-new:customer' },
	},
	{ given: ONE, by: 'anonymous', do: cmd.join(), expect: ok('participant.joined c-new customer "Vesna"'), note: 'no cookie yet' },
	{
		given: ONE,
		by: 'newCustomer',
		do: cmd.join('  Vesna  '),
		expect: ok('participant.joined c-new customer "Vesna"'),
		note: 'name trimmed',
	},
	{ given: ONE, by: 'newCustomer', do: cmd.join('   '), expect: refused('nameRequired') },
	{ given: ONE, by: 'newCustomer', do: cmd.join(''), expect: refused('nameRequired') },
	{
		given: ONE,
		by: 'newCustomer',
		do: cmd.join(),
		ctx: anaHelping(4),
		expect: ok('participant.joined c-new customer "Vesna"'),
		note: '4 helped over all her sessions, max 5',
	},
	{
		given: ONE,
		by: 'newCustomer',
		do: cmd.join(),
		ctx: anaHelping(5),
		expect: refused('customerLimitReached'),
		note: '5 helped over all her sessions (1 here), max 5',
	},
	{
		given: ONE,
		by: 'newCustomer',
		do: cmd.join(),
		ctx: anaHelping(1, 1),
		expect: refused('customerLimitReached'),
		note: 'one customer at a time',
	},
	{ given: ONE, by: 'customer', do: cmd.join('Mira', C1), expect: refused('alreadyInSession') },
	{ given: ONE, by: 'controller', do: cmd.join(), expect: refused('alreadyInSession') },
	{ given: ONE, by: 'otherRep', do: cmd.join(), expect: refused('notACustomer') },
	{ given: ONE, by: 'system', do: cmd.join(), expect: refused('notACustomer') },
	{ given: ENDED, by: 'newCustomer', do: cmd.join(), expect: refused('sessionEnded') },
	{ given: NONE, by: 'newCustomer', do: cmd.join(), expect: refused('sessionNotFound') },
	{
		given: WAITING,
		by: 'newCustomer',
		do: cmd.join(),
		expect: ok('participant.joined c-new customer "Vesna"'),
		then: { status: 'waiting', controller: null },
		note: 'no controller, so no limit to check',
	},

	// ------------------------------------------------------------ assist (§4)
	{
		given: FULL,
		by: 'otherRep',
		do: cmd.assist(CECA),
		expect: ok('participant.joined p-ceca assistant "Ceca" (r-ceca, voice)'),
		then: { controller: 'p-ana' },
	},
	{
		given: FULL,
		by: 'otherRep',
		do: cmd.assist(CECA),
		load: { mode: 'single', controlledSessions: 1 },
		expect: ok('participant.joined p-ceca assistant "Ceca" (r-ceca, voice)'),
		note: 'assisting does not count as controlling',
	},
	{
		given: WAITING,
		by: 'otherRep',
		do: cmd.assist(CECA),
		expect: ok('participant.joined p-ceca assistant "Ceca" (r-ceca, voice)'),
		then: { status: 'waiting' },
	},
	{ given: FULL, by: 'assistant', do: cmd.assist(BOJAN), expect: refused('alreadyInSession') },
	{ given: FULL, by: 'controller', do: cmd.assist(ANA), expect: refused('alreadyInSession') },
	{ given: FULL, by: 'customer', do: cmd.assist(CECA), expect: refused('notARep') },
	{ given: FULL, by: 'anonymous', do: cmd.assist(CECA), expect: refused('notARep') },
	{ given: FULL, by: 'system', do: cmd.assist(CECA), expect: refused('notARep') },
	{ given: ENDED, by: 'otherRep', do: cmd.assist(CECA), expect: refused('sessionEnded') },
	{ given: NONE, by: 'otherRep', do: cmd.assist(CECA), expect: refused('sessionNotFound') },

	// ------------------------------------------------------------ focusCustomer (§5)
	{ given: FULL, by: 'controller', do: cmd.focus(C2), expect: ok('customer.focused c-2'), then: { focused: 'c-2' } },
	{
		given: SHARING_REP,
		by: 'controller',
		do: cmd.focus(C2),
		expect: ok('activity.stopped sharing p-ana focusChanged', 'customer.focused c-2'),
	},
	{
		given: SHARING_CUSTOMER,
		by: 'controller',
		do: cmd.focus(C2),
		expect: ok('activity.stopped sharing c-1 focusChanged', 'customer.focused c-2'),
	},
	{
		given: EVERYTHING,
		by: 'controller',
		do: cmd.focus(C2),
		expect: ok('activity.stopped sharing p-ana focusChanged', 'activity.stopped sharing c-1 focusChanged', 'customer.focused c-2'),
		then: { focused: 'c-2', activities: 'video p-ana, video c-2, recording, voiceCall', files: 'f-1 uploading, f-0 complete' },
		note: 'ALL sharing ends; nothing else does',
	},
	{
		given: FULL.on('sharing', C2),
		by: 'controller',
		do: cmd.focus(C2),
		expect: ok('activity.stopped sharing c-2 focusChanged', 'customer.focused c-2'),
		note: 'even the share of the customer now focused',
	},
	{
		given: FULL.focused(C2).on('sharing', C1),
		by: 'controller',
		do: cmd.focus(C1),
		expect: ok('activity.stopped sharing c-1 focusChanged', 'customer.focused c-1'),
	},
	{ given: FULL, by: 'controller', do: cmd.focus(C1), expect: ok(), note: 'already focused: nothing happens' },
	{
		given: SHARING_BOTH,
		by: 'controller',
		do: cmd.focus(C1),
		expect: ok(),
		then: { activities: 'sharing p-ana, sharing c-1' },
		note: 'already focused: sharing goes on',
	},
	{ given: FULL, by: 'controller', do: cmd.focus(pid(BOJAN)), expect: refused('notACustomer') },
	{ given: FULL, by: 'controller', do: cmd.focus(pid(ANA)), expect: refused('notACustomer') },
	{ given: FULL, by: 'controller', do: cmd.focus('c-gone'), expect: refused('participantNotFound') },
	{ given: FULL, by: 'assistant', do: cmd.focus(C2), expect: refused('notController') },
	{ given: FULL, by: 'customer', do: cmd.focus(C2), expect: refused('notController') },
	{ given: FULL, by: 'otherRep', do: cmd.focus(C2), expect: refused('notInSession') },
	{ given: FULL, by: 'anonymous', do: cmd.focus(C2), expect: refused('notSignedIn') },
	{ given: FULL, by: 'system', do: cmd.focus(C2), expect: refused('notInSession') },
	{ given: WAITING, by: 'assistant', do: cmd.focus(C2), expect: refused('notController') },
	{ given: ENDED, by: 'controller', do: cmd.focus(C2), expect: refused('sessionEnded') },
	{ given: NONE, by: 'controller', do: cmd.focus(C2), expect: refused('sessionNotFound') },

	// ------------------------------------------------------------ transferControl (§5, §6)
	{
		given: FULL,
		by: 'controller',
		do: cmd.transfer(pid(BOJAN)),
		ctx: target(BOJAN),
		expect: ok('control.transferred p-ana→p-bojan'),
		then: { status: 'live', controller: 'p-bojan', roles: 'p-ana:assistant c-1:customer c-2:customer p-bojan:controller', focused: 'c-1' },
	},
	{
		given: FULL,
		by: 'controller',
		do: cmd.transfer(pid(BOJAN)),
		expect: ok('control.transferred p-ana→p-bojan'),
		note: 'no load known for the target: nothing to check',
	},
	{
		given: EVERYTHING,
		by: 'controller',
		do: cmd.transfer(pid(BOJAN)),
		ctx: target(BOJAN),
		expect: ok(...everythingStopped('controlTransferred', { voice: false }), 'control.transferred p-ana→p-bojan'),
		then: { activities: 'voiceCall', files: 'f-1 cancelled, f-0 complete' },
		note: 'every activity ends, both directions; voice goes on to a voice-capable console; a complete file stays',
	},
	{
		given: EVERYTHING_DARA,
		by: 'controller',
		do: cmd.transfer(pid(DARA)),
		ctx: target(DARA),
		expect: ok(...everythingStopped('controlTransferred'), 'control.transferred p-ana→p-dara'),
		then: { activities: '' },
		note: 'target console without voice: the call ends too',
	},
	{
		given: VOICE,
		by: 'controller',
		do: cmd.transfer(pid(BOJAN)),
		ctx: target(BOJAN),
		expect: ok('control.transferred p-ana→p-bojan'),
		then: { activities: 'voiceCall' },
	},
	{
		given: RECORDING,
		by: 'controller',
		do: cmd.transfer(pid(BOJAN)),
		ctx: target(BOJAN),
		expect: ok('activity.stopped recording controlTransferred', 'control.transferred p-ana→p-bojan'),
	},
	{
		given: FILE_OFFERED,
		by: 'controller',
		do: cmd.transfer(pid(BOJAN)),
		ctx: target(BOJAN),
		expect: ok('file.cancelled f-1 controlTransferred', 'control.transferred p-ana→p-bojan'),
		then: { files: 'f-1 cancelled' },
		note: 'an offer whose upload has not begun is a transfer in flight too',
	},
	{
		given: FILE_FROM_CUSTOMER,
		by: 'controller',
		do: cmd.transfer(pid(BOJAN)),
		ctx: target(BOJAN),
		expect: ok('file.cancelled f-2 controlTransferred', 'control.transferred p-ana→p-bojan'),
		note: "the customer's upload to the old controller too",
	},
	{
		given: FILE_DONE,
		by: 'controller',
		do: cmd.transfer(pid(BOJAN), true),
		ctx: target(BOJAN),
		expect: ok('control.transferred p-ana→p-bojan and leaves', 'participant.left p-ana handedOver'),
		then: { files: 'f-1 complete' },
		note: 'a complete file stays offered and downloadable',
	},
	{
		given: VIDEO,
		by: 'controller',
		do: cmd.transfer(pid(BOJAN)),
		ctx: target(BOJAN),
		expect: ok(
			'activity.stopped video p-ana controlTransferred',
			'activity.stopped video c-2 controlTransferred',
			'control.transferred p-ana→p-bojan',
		),
	},
	{
		given: FULL,
		by: 'controller',
		do: cmd.transfer(pid(BOJAN), true),
		ctx: target(BOJAN),
		expect: ok('control.transferred p-ana→p-bojan and leaves', 'participant.left p-ana handedOver'),
		then: { status: 'live', controller: 'p-bojan', roles: 'c-1:customer c-2:customer p-bojan:controller' },
	},
	{
		given: EVERYTHING,
		by: 'controller',
		do: cmd.transfer(pid(BOJAN), true),
		ctx: target(BOJAN),
		expect: ok(
			...everythingStopped('controlTransferred', { voice: false }),
			'control.transferred p-ana→p-bojan and leaves',
			'participant.left p-ana handedOver',
		),
		then: { controller: 'p-bojan', activities: 'voiceCall' },
	},
	{ given: FULL, by: 'controller', do: cmd.transfer(C1), ctx: target(BOJAN), expect: refused('notAnAssistant') },
	{ given: FULL, by: 'controller', do: cmd.transfer(pid(ANA)), expect: refused('notAnAssistant'), note: 'to oneself' },
	{ given: FULL, by: 'controller', do: cmd.transfer(pid(CECA)), expect: refused('participantNotFound') },
	{
		given: FULL,
		by: 'controller',
		do: cmd.transfer(pid(BOJAN)),
		ctx: target(BOJAN, { mode: 'single', maxSessions: 1, controlledSessions: 1 }),
		expect: refused('targetSingleSessionBusy'),
	},
	{
		given: FULL,
		by: 'controller',
		do: cmd.transfer(pid(BOJAN)),
		ctx: target(BOJAN, { mode: 'single', maxSessions: 1, controlledSessions: 0 }),
		expect: ok('control.transferred p-ana→p-bojan'),
		note: 'single-session rep controlling nothing',
	},
	{
		given: FULL,
		by: 'controller',
		do: cmd.transfer(pid(BOJAN)),
		ctx: target(BOJAN, { controlledSessions: 3, maxSessions: 3 }),
		expect: refused('targetOverloaded'),
		note: 'target at the site maximum of sessions',
	},
	{
		given: FULL,
		by: 'controller',
		do: cmd.transfer(pid(BOJAN)),
		ctx: target(BOJAN, { controlledSessions: 1, customersHelped: 4, maxCustomers: 5 }),
		expect: refused('targetOverloaded'),
		note: '4 elsewhere + 2 here > 5',
	},
	{
		given: FULL,
		by: 'controller',
		do: cmd.transfer(pid(BOJAN)),
		ctx: target(BOJAN, { controlledSessions: 1, customersHelped: 3, maxCustomers: 5 }),
		expect: ok('control.transferred p-ana→p-bojan'),
		note: '3 elsewhere + 2 here = 5',
	},
	{ given: FULL, by: 'assistant', do: cmd.transfer(pid(BOJAN)), expect: refused('notController') },
	{ given: FULL, by: 'customer', do: cmd.transfer(pid(BOJAN)), expect: refused('notController') },
	{ given: FULL, by: 'otherRep', do: cmd.transfer(pid(BOJAN)), expect: refused('notInSession') },
	{ given: FULL, by: 'anonymous', do: cmd.transfer(pid(BOJAN)), expect: refused('notSignedIn') },
	{ given: WAITING, by: 'assistant', do: cmd.transfer(pid(BOJAN)), expect: refused('notController') },
	{ given: ENDED, by: 'controller', do: cmd.transfer(pid(BOJAN)), expect: refused('sessionEnded') },
	// The previous controller stays as an assistant (§6).
	{
		given: TRANSFERRED,
		by: 'Bojan (new controller)',
		do: cmd.transfer(pid(ANA)),
		ctx: target(ANA),
		expect: ok('control.transferred p-bojan→p-ana'),
		then: { controller: 'p-ana', roles: 'p-ana:controller c-1:customer c-2:customer p-bojan:assistant' },
		note: 'transferred back at any time',
	},
	{ given: TRANSFERRED, by: 'Ana (ex-controller)', do: cmd.transfer(pid(BOJAN)), expect: refused('notController') },
	{ given: TRANSFERRED, by: 'Ana (ex-controller)', do: cmd.end(), expect: refused('notController') },
	{ given: TRANSFERRED, by: 'Ana (ex-controller)', do: cmd.focus(C2), expect: refused('notController') },
	{ given: TRANSFERRED, by: 'Ana (ex-controller)', do: cmd.startA('recording'), expect: refused('assistantsCannotDoThat') },
	{
		given: TRANSFERRED,
		by: 'Ana (ex-controller)',
		do: cmd.leave(),
		expect: ok('participant.left p-ana left'),
		then: { controller: 'p-bojan', status: 'live' },
	},
	{ given: TRANSFERRED, by: 'Bojan (new controller)', do: cmd.leave(), expect: refused('controllerCannotLeave') },
	{ given: TRANSFERRED, by: 'Bojan (new controller)', do: cmd.startA('recording'), expect: ok('activity.started recording p-bojan') },

	// ------------------------------------------------------------ leave (§1, §6)
	{
		given: FULL,
		by: 'assistant',
		do: cmd.leave(),
		expect: ok('participant.left p-bojan left'),
		then: { roles: 'p-ana:controller c-1:customer c-2:customer' },
	},
	{
		given: FULL,
		by: 'customer',
		do: cmd.leave(),
		expect: ok('participant.left c-1 left'),
		then: { focused: 'c-2' },
		note: 'focus moves to the next customer',
	},
	{ given: FULL, by: 'customer2', do: cmd.leave(), expect: ok('participant.left c-2 left'), then: { focused: 'c-1' } },
	{ given: ONE, by: 'customer', do: cmd.leave(), expect: ok('participant.left c-1 left'), then: { focused: null, status: 'live' } },
	{
		given: EVERYTHING,
		by: 'customer',
		do: cmd.leave(),
		expect: ok('activity.stopped sharing c-1 participantLeft', 'file.cancelled f-1 participantLeft', 'participant.left c-1 left'),
		then: { activities: 'sharing p-ana, video p-ana, video c-2, recording, voiceCall', files: 'f-1 cancelled, f-0 complete' },
		note: 'only their own activities end, and the upload nobody is left to receive',
	},
	{
		given: EVERYTHING,
		by: 'customer2',
		do: cmd.leave(),
		expect: ok('activity.stopped video c-2 participantLeft', 'participant.left c-2 left'),
	},
	{ given: FULL, by: 'controller', do: cmd.leave(), expect: refused('controllerCannotLeave') },
	{ given: FULL, by: 'otherRep', do: cmd.leave(), expect: refused('notInSession') },
	{ given: FULL, by: 'newCustomer', do: cmd.leave(), expect: refused('notInSession') },
	{ given: FULL, by: 'anonymous', do: cmd.leave(), expect: refused('notInSession') },
	{ given: FULL, by: 'system', do: cmd.leave(), expect: refused('notInSession') },
	{ given: WAITING, by: 'assistant', do: cmd.leave(), expect: ok('participant.left p-bojan left'), then: { status: 'waiting' } },
	{ given: WAITING, by: 'customer', do: cmd.leave(), expect: ok('participant.left c-1 left') },
	{ given: ENDED, by: 'customer', do: cmd.leave(), expect: refused('sessionEnded') },
	{ given: NONE, by: 'customer', do: cmd.leave(), expect: refused('sessionNotFound') },

	// ------------------------------------------------------------ removeParticipant (§1)
	{ given: FULL, by: 'controller', do: cmd.remove(C2), expect: ok('participant.left c-2 removed') },
	{ given: FULL, by: 'controller', do: cmd.remove(C1), expect: ok('participant.left c-1 removed'), then: { focused: 'c-2' } },
	{ given: FULL, by: 'controller', do: cmd.remove(pid(BOJAN)), expect: ok('participant.left p-bojan removed') },
	{
		given: EVERYTHING,
		by: 'controller',
		do: cmd.remove(C1),
		expect: ok('activity.stopped sharing c-1 participantLeft', 'file.cancelled f-1 participantLeft', 'participant.left c-1 removed'),
	},
	{
		given: FILE_FROM_CUSTOMER,
		by: 'controller',
		do: cmd.remove(C1),
		expect: ok('file.cancelled f-2 participantLeft', 'participant.left c-1 removed'),
		note: 'the upload of who is removed ends',
	},
	{
		given: FILE_TO_BOTH,
		by: 'controller',
		do: cmd.remove(C1),
		expect: ok('participant.left c-1 removed'),
		then: { files: 'f-3 offered' },
		note: 'a file to every customer goes on while one of them is there',
	},
	{ given: FULL, by: 'controller', do: cmd.remove(pid(ANA)), expect: refused('cannotRemoveSelf') },
	{ given: FULL, by: 'controller', do: cmd.remove('c-gone'), expect: refused('participantNotFound') },
	{ given: FULL, by: 'assistant', do: cmd.remove(C1), expect: refused('notController') },
	{ given: FULL, by: 'customer', do: cmd.remove(C2), expect: refused('notController') },
	{ given: FULL, by: 'otherRep', do: cmd.remove(C2), expect: refused('notInSession') },
	{ given: FULL, by: 'anonymous', do: cmd.remove(C2), expect: refused('notSignedIn') },
	{ given: WAITING, by: 'assistant', do: cmd.remove(C1), expect: refused('notController') },
	{ given: ENDED, by: 'controller', do: cmd.remove(C1), expect: refused('sessionEnded') },

	// ------------------------------------------------------------ end (§1, §9)
	{ given: FULL, by: 'controller', do: cmd.end(), expect: ok('session.ended ended by p-ana'), then: { status: 'ended', controller: null } },
	{
		given: EVERYTHING,
		by: 'controller',
		do: cmd.end(),
		expect: ok(...everythingStopped('sessionEnded'), 'session.ended ended by p-ana'),
		then: { status: 'ended', activities: '', files: 'f-1 cancelled, f-0 complete' },
	},
	{
		given: FILE_FROM_CUSTOMER,
		by: 'controller',
		do: cmd.end(),
		expect: ok('file.cancelled f-2 sessionEnded', 'session.ended ended by p-ana'),
		note: 'an end stops uploads too',
	},
	{ given: ALONE, by: 'controller', do: cmd.end(), expect: ok('session.ended ended by p-ana') },
	{ given: FULL, by: 'assistant', do: cmd.end(), expect: refused('notController') },
	{ given: FULL, by: 'customer', do: cmd.end(), expect: refused('notController') },
	{ given: FULL, by: 'otherRep', do: cmd.end(), expect: refused('notInSession') },
	{ given: FULL, by: 'anonymous', do: cmd.end(), expect: refused('notSignedIn') },
	{ given: FULL, by: 'system', do: cmd.end(), expect: refused('notInSession') },
	{ given: WAITING, by: 'assistant', do: cmd.end(), expect: refused('notController') },
	{ given: WAITING, by: 'customer', do: cmd.end(), expect: refused('notController') },
	{ given: ENDED, by: 'controller', do: cmd.end(), expect: refused('sessionEnded') },
	{ given: NONE, by: 'controller', do: cmd.end(), expect: refused('sessionNotFound') },

	// ------------------------------------------------------------ startActivity (§1, §9)
	{ given: FULL, by: 'controller', do: cmd.startA('sharing'), expect: ok('activity.started sharing p-ana') },
	{ given: FULL, by: 'controller', do: cmd.startA('video'), expect: ok('activity.started video p-ana') },
	{
		given: FULL,
		by: 'controller',
		do: cmd.startA('recording'),
		expect: ok('activity.started recording p-ana'),
		then: { activities: 'recording' },
	},
	{ given: FULL, by: 'controller', do: cmd.startA('voiceCall'), expect: ok('activity.started voiceCall p-ana') },
	{ given: FULL, by: 'customer', do: cmd.startA('sharing'), expect: ok('activity.started sharing c-1') },
	{
		given: SHARING_REP,
		by: 'customer',
		do: cmd.startA('sharing'),
		expect: ok('activity.started sharing c-1'),
		then: { activities: 'sharing p-ana, sharing c-1' },
		note: 'both directions at once',
	},
	{
		given: SHARING_CUSTOMER,
		by: 'customer2',
		do: cmd.startA('sharing'),
		expect: ok('activity.started sharing c-2'),
		note: 'a customer not focused may share too',
	},
	{ given: FULL, by: 'customer', do: cmd.startA('video'), expect: ok('activity.started video c-1') },
	{ given: FULL, by: 'customer', do: cmd.startA('recording'), expect: refused('notController') },
	{ given: FULL, by: 'customer', do: cmd.startA('voiceCall'), expect: refused('notController') },
	{ given: FULL, by: 'assistant', do: cmd.startA('sharing'), expect: refused('assistantsCannotDoThat') },
	{ given: FULL, by: 'assistant', do: cmd.startA('video'), expect: refused('assistantsCannotDoThat') },
	{ given: FULL, by: 'assistant', do: cmd.startA('recording'), expect: refused('assistantsCannotDoThat') },
	{ given: FULL, by: 'assistant', do: cmd.startA('voiceCall'), expect: refused('assistantsCannotDoThat') },
	{ given: SHARING_REP, by: 'controller', do: cmd.startA('sharing'), expect: refused('activityAlreadyOn') },
	{ given: SHARING_CUSTOMER, by: 'customer', do: cmd.startA('sharing'), expect: refused('activityAlreadyOn') },
	{
		given: SHARING_CUSTOMER,
		by: 'controller',
		do: cmd.startA('sharing'),
		expect: ok('activity.started sharing p-ana'),
		note: "someone else's share does not count",
	},
	{ given: VIDEO, by: 'customer2', do: cmd.startA('video'), expect: refused('activityAlreadyOn') },
	{ given: RECORDING, by: 'controller', do: cmd.startA('recording'), expect: refused('activityAlreadyOn') },
	{ given: VOICE, by: 'controller', do: cmd.startA('voiceCall'), expect: refused('activityAlreadyOn') },
	{ given: FULL, by: 'otherRep', do: cmd.startA('sharing'), expect: refused('notInSession') },
	{ given: FULL, by: 'newCustomer', do: cmd.startA('sharing'), expect: refused('notInSession') },
	{ given: FULL, by: 'anonymous', do: cmd.startA('sharing'), expect: refused('notSignedIn') },
	{ given: FULL, by: 'system', do: cmd.startA('recording'), expect: refused('notInSession') },
	{
		given: WAITING,
		by: 'customer',
		do: cmd.startA('sharing'),
		expect: refused('sessionWaiting'),
		note: 'nothing starts while the session waits for an agent (SPEC §7)',
	},
	{ given: WAITING, by: 'assistant', do: cmd.startA('sharing'), expect: refused('assistantsCannotDoThat') },
	{ given: WAITING, by: 'assistant', do: cmd.startA('recording'), expect: refused('assistantsCannotDoThat') },
	{ given: ENDED, by: 'controller', do: cmd.startA('sharing'), expect: refused('sessionEnded') },

	// ------------------------------------------------------------ sendMedia (§9): a track is the activity's, decided before the SFU hears of it
	{
		given: FULL,
		by: 'customer',
		do: cmd.send('screen'),
		expect: ok('activity.started sharing c-1'),
		then: { activities: 'sharing c-1' },
	},
	{ given: FULL, by: 'controller', do: cmd.send('camera'), expect: ok('activity.started video p-ana') },
	{
		given: SHARING_CUSTOMER,
		by: 'customer',
		do: cmd.send('screen'),
		expect: ok(),
		note: 'a new share of my own replaces it (a restart, or a leftover of a dropped connection)',
	},
	{ given: SHARING_CUSTOMER, by: 'controller', do: cmd.send('screen'), expect: ok('activity.started sharing p-ana') },
	{ given: FULL, by: 'assistant', do: cmd.send('screen'), expect: refused('assistantsCannotDoThat') },
	{ given: FULL, by: 'assistant', do: cmd.send('camera'), expect: refused('assistantsCannotDoThat') },
	{ given: VOICE, by: 'assistant', do: cmd.send('microphone'), expect: ok(), note: 'assistants talk in the call' },
	{ given: VOICE, by: 'customer2', do: cmd.send('microphone'), expect: ok() },
	{ given: FULL, by: 'controller', do: cmd.send('microphone'), expect: refused('activityNotOn'), note: 'no call, no microphone' },
	{ given: WAITING, by: 'customer', do: cmd.send('screen'), expect: refused('sessionWaiting') },
	{ given: WAITING, by: 'assistant', do: cmd.send('camera'), expect: refused('assistantsCannotDoThat') },
	{ given: FULL, by: 'otherRep', do: cmd.send('screen'), expect: refused('notInSession') },
	{ given: FULL, by: 'anonymous', do: cmd.send('camera'), expect: refused('notSignedIn') },
	{ given: ENDED, by: 'customer', do: cmd.send('screen'), expect: refused('sessionEnded') },
	{ given: NONE, by: 'customer', do: cmd.send('screen'), expect: refused('sessionNotFound') },

	// ------------------------------------------------------------ recordMediaFailure: what the media plane could not do is seen
	{ given: SHARING_CUSTOMER, by: 'system', do: cmd.mediaFailed('closeProducers'), expect: ok('media.failed closeProducers: sfu down') },
	{
		given: RECORDING,
		by: 'system',
		do: cmd.mediaFailed('startRecording'),
		expect: ok('media.failed startRecording: sfu down', 'activity.stopped recording mediaEnded'),
		then: { activities: '' },
		note: 'a recording that did not start is not on',
	},
	{ given: RECORDING, by: 'system', do: cmd.mediaFailed('stopRecording'), expect: ok('media.failed stopRecording: sfu down') },
	{
		given: ENDED,
		by: 'system',
		do: cmd.mediaFailed('closeSession'),
		expect: ok('media.failed closeSession: sfu down'),
		note: 'kept after the end',
	},
	{ given: RECORDING, by: 'controller', do: cmd.mediaFailed('stopRecording'), expect: refused('notController') },
	{
		given: SHARING_CUSTOMER,
		by: 'system',
		do: { type: 'recordMediaFailure', action: 'connect', reason: 'unreachable', participantId: 'c-1' },
		expect: ok('media.failed connect: unreachable (c-1)'),
		note: "a customer's browser that cannot reach the media server: whose it was is kept",
	},
	{ given: NONE, by: 'system', do: cmd.mediaFailed('closeSession'), expect: refused('sessionNotFound') },

	// ------------------------------------------------------------ reportMediaLost: a page lost the media server
	{
		given: SHARING_CUSTOMER,
		by: 'customer',
		do: { type: 'reportMediaLost', direction: 'send' },
		expect: ok('media.failed send: connectionLost (c-1)', 'activity.stopped sharing c-1 mediaEnded'),
		then: { activities: '' },
		note: 'what went out on a lost connection reaches nobody: it stops, and the others are told why',
	},
	{
		given: VIDEO,
		by: 'controller',
		do: { type: 'reportMediaLost', direction: 'send' },
		expect: ok('media.failed send: connectionLost (p-ana)', 'activity.stopped video p-ana mediaEnded'),
		note: "only the reporter's own",
	},
	{
		given: SHARING_CUSTOMER,
		by: 'controller',
		do: { type: 'reportMediaLost', direction: 'receive' },
		expect: ok('media.failed receive: connectionLost (p-ana)'),
		note: "a viewer's lost connection stops nobody's share",
	},
	{ given: FULL, by: 'otherRep', do: { type: 'reportMediaLost', direction: 'receive' }, expect: refused('notInSession') },
	{ given: FULL, by: 'anonymous', do: { type: 'reportMediaLost', direction: 'send' }, expect: refused('notSignedIn') },
	{ given: ENDED, by: 'customer', do: { type: 'reportMediaLost', direction: 'receive' }, expect: refused('sessionEnded') },

	// ------------------------------------------------------------ stopActivity (§9)
	{
		given: SHARING_BOTH,
		by: 'controller',
		do: cmd.stopA('sharing'),
		expect: ok('activity.stopped sharing p-ana stopped'),
		then: { activities: 'sharing c-1' },
	},
	{
		given: SHARING_BOTH,
		by: 'customer',
		do: cmd.stopA('sharing'),
		expect: ok('activity.stopped sharing c-1 stopped'),
		then: { activities: 'sharing p-ana' },
	},
	{
		given: SHARING_BOTH,
		by: 'controller',
		do: cmd.stopA('sharing', C1),
		expect: ok('activity.stopped sharing c-1 stopped'),
		note: "the controller stops a customer's share",
	},
	{
		given: SHARING_BOTH,
		by: 'customer',
		do: cmd.stopA('sharing', pid(ANA)),
		expect: refused('notController'),
		note: "a customer cannot stop the rep's share",
	},
	{ given: SHARING_BOTH, by: 'customer2', do: cmd.stopA('sharing', C1), expect: refused('notController') },
	{ given: SHARING_BOTH, by: 'assistant', do: cmd.stopA('sharing', C1), expect: refused('notController') },
	{ given: VIDEO, by: 'customer2', do: cmd.stopA('video'), expect: ok('activity.stopped video c-2 stopped') },
	{ given: VIDEO, by: 'controller', do: cmd.stopA('video', C2), expect: ok('activity.stopped video c-2 stopped') },
	{ given: VIDEO, by: 'customer2', do: cmd.stopA('video', pid(ANA)), expect: refused('notController') },
	{
		given: RECORDING,
		by: 'controller',
		do: cmd.stopA('recording'),
		expect: ok('activity.stopped recording stopped'),
		then: { activities: '' },
	},
	{ given: RECORDING, by: 'customer', do: cmd.stopA('recording'), expect: refused('notController') },
	{ given: RECORDING, by: 'assistant', do: cmd.stopA('recording'), expect: refused('assistantsCannotDoThat') },
	{ given: VOICE, by: 'controller', do: cmd.stopA('voiceCall'), expect: ok('activity.stopped voiceCall stopped') },
	{
		given: VOICE,
		by: 'customer',
		do: cmd.stopA('voiceCall'),
		expect: refused('notController'),
		note: 'the call is the session’s: only who may start it ends it',
	},
	{ given: VOICE, by: 'assistant', do: cmd.stopA('voiceCall'), expect: refused('assistantsCannotDoThat') },
	{ given: FULL, by: 'controller', do: cmd.stopA('recording'), expect: refused('activityNotOn') },
	{ given: FULL, by: 'controller', do: cmd.stopA('voiceCall'), expect: refused('activityNotOn') },
	{ given: SHARING_CUSTOMER, by: 'customer2', do: cmd.stopA('sharing'), expect: refused('activityNotOn') },
	{ given: SHARING_CUSTOMER, by: 'controller', do: cmd.stopA('sharing', C2), expect: refused('activityNotOn') },
	{ given: SHARING_CUSTOMER, by: 'controller', do: cmd.stopA('sharing'), expect: refused('activityNotOn') },
	{ given: SHARING_CUSTOMER, by: 'otherRep', do: cmd.stopA('sharing', C1), expect: refused('notInSession') },
	{ given: SHARING_CUSTOMER, by: 'anonymous', do: cmd.stopA('sharing', C1), expect: refused('notSignedIn') },
	{ given: WAITING_SHARING, by: 'customer', do: cmd.stopA('sharing'), expect: ok('activity.stopped sharing c-1 stopped') },
	{ given: WAITING_SHARING, by: 'assistant', do: cmd.stopA('sharing', C1), expect: refused('notController') },
	{ given: ENDED, by: 'controller', do: cmd.stopA('recording'), expect: refused('sessionEnded') },

	// ------------------------------------------------------------ endForLostConsole (§2)
	{
		given: FULL,
		by: 'system',
		do: cmd.lostConsole('consoleClosed'),
		expect: ok('session.ended consoleClosed'),
		then: { status: 'ended', controller: null },
	},
	{
		given: EVERYTHING,
		by: 'system',
		do: cmd.lostConsole('connectionLost'),
		expect: ok(...everythingStopped('sessionEnded'), 'session.ended connectionLost'),
	},
	{
		given: WAITING,
		by: 'system',
		do: cmd.lostConsole('connectionLost'),
		expect: ok('session.ended connectionLost'),
		note: 'current behaviour; the service only asks for sessions the rep controls (see report)',
	},
	{ given: FULL, by: 'controller', do: cmd.lostConsole(), expect: refused('notController') },
	{ given: FULL, by: 'assistant', do: cmd.lostConsole(), expect: refused('notController') },
	{ given: FULL, by: 'customer', do: cmd.lostConsole(), expect: refused('notController') },
	{ given: FULL, by: 'anonymous', do: cmd.lostConsole(), expect: refused('notController') },
	{ given: ENDED, by: 'system', do: cmd.lostConsole(), expect: refused('sessionEnded') },
	{ given: NONE, by: 'system', do: cmd.lostConsole(), expect: refused('sessionNotFound') },

	// ------------------------------------------------------------ createInvitation (§3): a control function
	{
		given: ONE,
		by: 'controller',
		do: cmd.invite('customer'),
		expect: ok('invitation.created i-new customer by link from p-ana'),
		then: { invitations: 'i-new' },
	},
	{ given: ONE, by: 'controller', do: cmd.invite('rep'), expect: ok('invitation.created i-new rep by link from p-ana') },
	{
		given: ONE,
		by: 'controller',
		do: cmd.invite('customer', 'email', 'vesna@example.com'),
		expect: ok('invitation.created i-new customer by email to vesna@example.com from p-ana'),
	},
	{
		given: ONE,
		by: 'controller',
		do: cmd.invite('rep', 'mailto', 'ceca@example.com'),
		expect: ok('invitation.created i-new rep by mailto to ceca@example.com from p-ana'),
	},
	{
		given: ONE,
		by: 'controller',
		do: cmd.invite('customer', 'mailto'),
		expect: ok('invitation.created i-new customer by mailto from p-ana'),
		note: 'the rep may type the address in their own program',
	},
	{
		given: ONE,
		by: 'controller',
		do: cmd.invite('customer', 'email'),
		expect: refused('invalidEmail'),
		note: 'Tandem cannot send without an address',
	},
	{
		given: INVITED,
		by: 'controller',
		do: cmd.invite('customer'),
		expect: ok('invitation.created i-new customer by link from p-ana'),
		note: 'any number of invitations',
	},
	{ given: FULL, by: 'assistant', do: cmd.invite('customer'), expect: refused('notController') },
	{ given: FULL, by: 'customer', do: cmd.invite('customer'), expect: refused('notController') },
	{ given: FULL, by: 'otherRep', do: cmd.invite('customer'), expect: refused('notInSession') },
	{ given: FULL, by: 'anonymous', do: cmd.invite('customer'), expect: refused('notSignedIn') },
	{ given: FULL, by: 'system', do: cmd.invite('customer'), expect: refused('notInSession') },
	{
		given: TRANSFERRED,
		by: 'Bojan (new controller)',
		do: cmd.invite('rep'),
		expect: ok('invitation.created i-new rep by link from p-bojan'),
	},
	{ given: TRANSFERRED, by: 'Ana (ex-controller)', do: cmd.invite('rep'), expect: refused('notController') },
	{
		given: WAITING,
		by: 'assistant',
		do: cmd.invite('customer'),
		expect: refused('notController'),
		note: 'nobody controls a waiting session',
	},
	{ given: ENDED, by: 'controller', do: cmd.invite('customer'), expect: refused('sessionEnded') },
	{ given: NONE, by: 'controller', do: cmd.invite('customer'), expect: refused('sessionNotFound') },

	// ------------------------------------------------------------ recordInvitationMail (§3): what became of Tandem's e-mail
	{
		given: INVITED,
		by: 'system',
		do: cmd.mailResult('i-mail'),
		expect: ok('invitation.sent i-mail'),
		then: { invitations: 'i-c, i-r, i-old, i-r-old, i-gone revoked, i-r-gone revoked, i-mail sent' },
	},
	{
		given: INVITED,
		by: 'system',
		do: cmd.mailResult('i-mail', '550 no such user'),
		expect: ok('invitation.notSent i-mail: 550 no such user'),
		then: { invitations: 'i-c, i-r, i-old, i-r-old, i-gone revoked, i-r-gone revoked, i-mail notSent revoked' },
		note: 'a link nobody received is withdrawn',
	},
	{ given: INVITED_SENT, by: 'system', do: cmd.mailResult('i-mail'), expect: ok(), note: 'told twice: nothing new' },
	{ given: INVITED_SENT, by: 'system', do: cmd.mailResult('i-mail', 'timeout'), expect: ok(), note: 'sent is sent' },
	{ given: INVITED, by: 'system', do: cmd.mailResult('i-c'), expect: ok(), note: 'a copied link is never mailed by Tandem' },
	{ given: INVITED, by: 'system', do: cmd.mailResult('i-unknown'), expect: refused('invitationNotFound') },
	{
		given: INVITED,
		by: 'controller',
		do: cmd.mailResult('i-mail'),
		expect: refused('notController'),
		note: 'only the system reports delivery',
	},
	{ given: INVITED, by: 'anonymous', do: cmd.mailResult('i-mail'), expect: refused('notController') },
	{ given: INVITED.ended(), by: 'system', do: cmd.mailResult('i-mail'), expect: refused('sessionEnded') },

	// ------------------------------------------------------------ revokeInvitation (§3): a control function
	{
		given: INVITED,
		by: 'controller',
		do: cmd.revoke('i-c'),
		expect: ok('invitation.revoked i-c by p-ana'),
		then: { invitations: 'i-c revoked, i-r, i-old, i-r-old, i-gone revoked, i-r-gone revoked, i-mail' },
	},
	{ given: INVITED, by: 'controller', do: cmd.revoke('i-r'), expect: ok('invitation.revoked i-r by p-ana') },
	{
		given: INVITED_SENT,
		by: 'controller',
		do: cmd.revoke('i-mail'),
		expect: ok('invitation.revoked i-mail by p-ana'),
		note: 'a sent invitation can be revoked too',
	},
	{ given: INVITED, by: 'controller', do: cmd.revoke('i-gone'), expect: refused('invitationRevoked') },
	{ given: INVITED, by: 'controller', do: cmd.revoke('i-old'), expect: refused('invitationExpired') },
	{ given: INVITED, by: 'controller', do: cmd.revoke('i-unknown'), expect: refused('invitationNotFound') },
	{ given: INVITED_FULL, by: 'assistant', do: cmd.revoke('i-c'), expect: refused('notController') },
	{ given: INVITED_FULL, by: 'customer', do: cmd.revoke('i-c'), expect: refused('notController') },
	{ given: INVITED_FULL, by: 'otherRep', do: cmd.revoke('i-c'), expect: refused('notInSession') },
	{ given: INVITED_FULL, by: 'anonymous', do: cmd.revoke('i-c'), expect: refused('notSignedIn') },
	{
		given: INVITED_TRANSFERRED,
		by: 'Bojan (new controller)',
		do: cmd.revoke('i-c'),
		expect: ok('invitation.revoked i-c by p-bojan'),
		note: "the session's invitations go with control",
	},
	{ given: INVITED_TRANSFERRED, by: 'Ana (ex-controller)', do: cmd.revoke('i-c'), expect: refused('notController'), note: 'even her own' },
	{ given: INVITED_WAITING, by: 'assistant', do: cmd.revoke('i-c'), expect: refused('notController') },
	{ given: INVITED_ENDED, by: 'controller', do: cmd.revoke('i-c'), expect: refused('sessionEnded') },

	// ------------------------------------------------------------ joining by an invitation link (§3, §4)
	{
		given: INVITED,
		by: 'anonymous',
		do: cmd.joinByLink('i-c'),
		expect: ok('participant.joined c-new customer "Vesna" via i-c'),
		then: { roles: 'p-ana:controller c-1:customer c-new:customer' },
	},
	{
		given: INVITED,
		by: 'newCustomer',
		do: cmd.joinByLink('i-mail'),
		expect: ok('participant.joined c-new customer "Vesna" via i-mail'),
		note: 'an e-mail link works before its delivery is recorded',
	},
	{
		given: INVITED_SENT,
		by: 'anonymous',
		do: cmd.joinByLink('i-mail'),
		expect: ok('participant.joined c-new customer "Vesna" via i-mail'),
	},
	{
		given: INVITED,
		by: 'anonymous',
		do: cmd.joinByLink('i-r'),
		expect: refused('invitationWrongRole'),
		note: 'a rep link does not make a customer',
	},
	{ given: INVITED, by: 'anonymous', do: cmd.joinByLink('i-gone'), expect: refused('invitationRevoked') },
	{
		given: INVITED,
		by: 'anonymous',
		do: cmd.joinByLink('i-old'),
		expect: refused('invitationExpired'),
		note: 'expires at NOW: already expired',
	},
	{ given: INVITED, by: 'anonymous', do: cmd.joinByLink('i-unknown'), expect: refused('invitationNotFound') },
	{
		given: INVITED,
		by: 'anonymous',
		do: cmd.joinByLink('i-old', '  '),
		expect: refused('invitationExpired'),
		note: 'the link is judged before the name',
	},
	{ given: INVITED, by: 'anonymous', do: cmd.joinByLink('i-c', '  '), expect: refused('nameRequired') },
	{
		given: INVITED,
		by: 'anonymous',
		do: cmd.joinByLink('i-c'),
		ctx: anaHelping(5),
		expect: refused('customerLimitReached'),
		note: 'a link does not lift the limit',
	},
	{ given: INVITED, by: 'customer', do: cmd.joinByLink('i-c', 'Mira', C1), expect: refused('alreadyInSession') },
	{ given: INVITED, by: 'otherRep', do: cmd.joinByLink('i-c'), expect: refused('notACustomer') },
	{ given: INVITED_ENDED, by: 'anonymous', do: cmd.joinByLink('i-c'), expect: refused('sessionEnded') },
	{
		given: INVITED_WAITING,
		by: 'anonymous',
		do: cmd.joinByLink('i-c'),
		expect: ok('participant.joined c-new customer "Vesna" via i-c'),
		then: { status: 'waiting' },
	},

	// ------------------------------------------------------------ assisting by a rep invitation link (§3)
	{
		given: INVITED,
		by: 'otherRep',
		do: cmd.assistByLink('i-r'),
		expect: ok('participant.joined p-ceca assistant "Ceca" (r-ceca, voice) via i-r'),
		then: { controller: 'p-ana', roles: 'p-ana:controller c-1:customer p-ceca:assistant' },
	},
	{
		given: INVITED,
		by: 'otherRep',
		do: cmd.assistByLink('i-c'),
		expect: refused('invitationWrongRole'),
		note: 'a customer link does not make an assistant',
	},
	{ given: INVITED, by: 'otherRep', do: cmd.assistByLink('i-r-gone'), expect: refused('invitationRevoked') },
	{ given: INVITED, by: 'otherRep', do: cmd.assistByLink('i-r-old'), expect: refused('invitationExpired') },
	{ given: INVITED, by: 'otherRep', do: cmd.assistByLink('i-unknown'), expect: refused('invitationNotFound') },
	{
		given: INVITED,
		by: 'otherRep',
		do: cmd.assistByLink('i-r'),
		load: { mode: 'single', controlledSessions: 1 },
		expect: ok('participant.joined p-ceca assistant "Ceca" (r-ceca, voice) via i-r'),
		note: 'assisting does not count as controlling',
	},
	{ given: INVITED, by: 'anonymous', do: cmd.assistByLink('i-r'), expect: refused('notARep'), note: 'a rep link needs a signed-in rep' },
	{ given: INVITED, by: 'newCustomer', do: cmd.assistByLink('i-r'), expect: refused('notARep') },
	{ given: INVITED, by: 'adminOnly', do: cmd.assistByLink('i-r', ZORAN), expect: refused('notARep') },
	{ given: INVITED, by: 'controller', do: cmd.assistByLink('i-r', ANA), expect: refused('alreadyInSession') },
	{ given: INVITED_ENDED, by: 'otherRep', do: cmd.assistByLink('i-r'), expect: refused('sessionEnded') },

	// ------------------------------------------------------------ WebACD (§7, §8): Get help, offers, accept
	{
		given: NONE,
		by: 'newCustomer',
		do: cmd.help(),
		expect: ok('session.requested c-new in q-1'),
		then: { status: 'waiting', controller: null, roles: 'c-new:customer', focused: 'c-new' },
	},
	{ given: NONE, by: 'anonymous', do: cmd.help(), expect: ok('session.requested c-new in q-1'), note: 'nobody needs an account to ask' },
	{ given: NONE, by: 'newCustomer', do: cmd.help('   '), expect: refused('nameRequired') },
	{
		given: NONE,
		by: 'newCustomer',
		do: cmd.help(),
		ctx: { queue: null },
		expect: refused('queueNotFound'),
		note: 'unknown or removed queue',
	},
	{
		given: NONE,
		by: 'newCustomer',
		do: cmd.help(),
		ctx: { queue: { id: 'q-1', name: 'Internal', openToCustomers: false } },
		expect: refused('queueNotFound'),
		note: 'a queue not open to customers',
	},
	{ given: NONE, by: 'otherRep', do: cmd.help(), expect: refused('notACustomer') },
	{ given: ONE, by: 'newCustomer', do: cmd.help(), expect: refused('sessionExists') },

	{ given: REQUESTED, by: 'system', do: cmd.offer(['o-1', EVA]), expect: ok('offer.made o-1→r-eva') },
	{
		given: REQUESTED,
		by: 'system',
		do: cmd.offer(['o-1', EVA], ['o-2', FILIP]),
		expect: ok('offer.made o-1→r-eva o-2→r-filip'),
		note: 'everybody: every available member at once',
	},
	{ given: OFFERED, by: 'system', do: cmd.offer(['o-3', EVA]), expect: ok(), note: 'one offer of a session per agent' },
	{ given: OFFERED, by: 'agent', do: cmd.offer(['o-3', FILIP]), expect: refused('notController') },
	{ given: ONE, by: 'system', do: cmd.offer(['o-1', EVA]), expect: ok(), note: 'a live session is offered to nobody' },

	{
		given: OFFERED,
		by: 'agent',
		do: cmd.accept('o-1', EVA),
		expect: ok('session.accepted o-1 by p-eva'),
		then: { status: 'live', controller: 'p-eva', roles: 'c-1:customer p-eva:controller' },
	},
	{ given: OFFERED_BOTH, by: 'otherAgent', do: cmd.accept('o-2', FILIP), expect: ok('session.accepted o-2 by p-filip') },
	{ given: TAKEN, by: 'otherAgent', do: cmd.accept('o-2', FILIP), expect: refused('offerNotFound'), note: 'the first accept wins' },
	{ given: OFFERED, by: 'otherAgent', do: cmd.accept('o-1', FILIP), expect: refused('notYourOffer') },
	{ given: OFFERED, by: 'agent', do: cmd.accept('o-9', EVA), expect: refused('offerNotFound') },
	{ given: OFFER_LATE, by: 'agent', do: cmd.accept('o-1', EVA), expect: refused('offerNotFound'), note: 'its time is up' },
	{ given: OFFERED, by: 'otherRep', do: cmd.accept('o-1', CECA), expect: refused('notAnAgent') },
	{ given: OFFERED, by: 'anonymous', do: cmd.accept('o-1', EVA), expect: refused('notSignedIn') },
	{
		given: OFFERED,
		by: 'agent',
		do: cmd.accept('o-1', EVA),
		ctx: { agentLoad: { ...EVA, controlledSessions: 1, capacity: 1 } },
		expect: refused('agentAtCapacity'),
		note: 'one session already and room for one',
	},
	{
		given: OFFERED,
		by: 'agent',
		do: cmd.accept('o-1', EVA),
		ctx: { agentLoad: { ...EVA, controlledSessions: 1, capacity: 2 } },
		expect: ok('session.accepted o-1 by p-eva'),
		note: 'room for two',
	},

	{ given: OFFERED, by: 'agent', do: cmd.decline('o-1'), expect: ok('offer.declined o-1 by r-eva') },
	{ given: OFFERED, by: 'otherAgent', do: cmd.decline('o-1'), expect: refused('notYourOffer'), note: "someone else's offer" },
	{ given: TAKEN, by: 'agent', do: cmd.decline('o-1'), expect: refused('offerNotFound') },

	{ given: OFFERED, by: 'system', do: cmd.expire('o-1'), expect: ok('offer.expired o-1 of r-eva') },
	{ given: TAKEN, by: 'system', do: cmd.expire('o-2'), expect: ok(), note: 'withdrawn when o-1 was accepted' },
	{ given: OFFERED, by: 'agent', do: cmd.expire('o-1'), expect: refused('notController') },

	// ------------------------------------------------------------ Transfer session (§7)
	{
		given: EVA_LIVE,
		by: 'agent',
		do: cmd.toQueue(),
		expect: ok('session.handedOver to q-1 "Printer driver, see chat" from Eva', 'participant.left p-eva handedOver'),
		then: { status: 'waiting', controller: null, roles: 'c-1:customer p-bojan:assistant' },
		note: 'customers and assistants stay; the rep leaves',
	},
	{
		given: EVA_BUSY,
		by: 'agent',
		do: cmd.toQueue(),
		expect: ok(
			'activity.stopped sharing c-1 sessionTransferred',
			'activity.stopped video p-eva sessionTransferred',
			'activity.stopped recording sessionTransferred',
			'activity.stopped voiceCall sessionTransferred',
			'session.handedOver to q-1 "Printer driver, see chat" from Eva',
			'participant.left p-eva handedOver',
		),
		then: { activities: '' },
		note: 'every activity ends, and the voice call too',
	},
	{
		given: EVA_LIVE,
		by: 'agent',
		do: cmd.toAgents([FILIP]),
		expect: ok('session.handedOver to r-filip from Eva', 'participant.left p-eva handedOver'),
	},
	{ given: EVA_LIVE, by: 'agent', do: cmd.toAgents([]), expect: refused('transferTargetRequired'), note: 'an empty target' },
	{
		given: EVA_LIVE,
		by: 'agent',
		do: { type: 'transferSession', queueId: 'q-1', agents: [FILIP.repId], message: '' },
		expect: refused('transferTargetRequired'),
		note: 'a queue and agents at once',
	},
	{ given: EVA_LIVE, by: 'agent', do: cmd.toQueue('q-gone'), ctx: { targetQueue: null }, expect: refused('queueNotFound') },
	{ given: EVA_LIVE, by: 'agent', do: cmd.toAgents([CECA]), expect: refused('notAnAgent'), note: 'a rep who is no agent' },
	{
		given: EVA_LIVE,
		by: 'agent',
		do: cmd.toAgents([FILIP]),
		ctx: { targetAgents: [{ repId: FILIP.repId, isAgent: true, state: 'away' }] },
		expect: refused('agentUnavailable'),
		note: 'an away agent',
	},
	{ given: EVA_LIVE, by: 'agent', do: cmd.toAgents([EVA]), expect: refused('agentUnavailable'), note: 'to oneself' },
	{
		given: EVA_LIVE.fileOffered('f-1', pid(EVA), [C1])
			.fileUploading('f-1')
			.fileOffered('f-2', C1, [pid(EVA)]),
		by: 'agent',
		do: cmd.toQueue(),
		expect: ok(
			'file.cancelled f-1 sessionTransferred',
			'file.cancelled f-2 sessionTransferred',
			'session.handedOver to q-1 "Printer driver, see chat" from Eva',
			'participant.left p-eva handedOver',
		),
		then: { files: 'f-1 cancelled, f-2 cancelled' },
		note: 'transfers in flight end both ways: nobody controls it while it waits',
	},
	{ given: FULL, by: 'controller', do: cmd.toQueue(), expect: refused('notAnAgent'), note: 'a controlling rep who is no agent' },
	{ given: EVA_LIVE, by: 'assistant', do: cmd.toQueue(), expect: refused('notController') },
	{ given: EVA_LIVE, by: 'customer', do: cmd.toQueue(), expect: refused('notController') },
	{ given: HANDED, by: 'agent', do: cmd.toQueue(), expect: refused('notInSession') },
	{
		given: HANDED,
		by: 'system',
		do: cmd.nextRound('q-1'),
		expect: ok('handover.moved to q-1 round 2 ahead'),
		note: 'nobody took it: again',
	},
	{
		given: HANDED,
		by: 'system',
		do: cmd.nextRound('q-2'),
		expect: ok('handover.moved to q-2 round 1 ahead'),
		note: 'on to the fallback queue',
	},
	{ given: HANDED, by: 'agent', do: cmd.nextRound('q-2'), expect: refused('notController') },
	{ given: EVA_LIVE, by: 'system', do: cmd.nextRound('q-2'), expect: ok(), note: 'a live session stays where it is' },

	{
		given: OFFERED,
		by: 'customer',
		do: cmd.leave(),
		expect: ok('participant.left c-1 left', 'session.ended customerLeft by c-1'),
		then: { status: 'ended' },
		note: 'the customer leaves the line: nothing left to hand over',
	},

	// ------------------------------------------------------------ chat (§9)
	{ given: ONE, by: 'customer', do: cmd.chat(), expect: ok('chat.posted m-1 c-1 "Mira": "Hello"') },
	{ given: FULL, by: 'controller', do: cmd.chat('Hi <b>all</b>'), expect: ok('chat.posted m-1 p-ana "Ana": "Hi <b>all</b>"') },
	{ given: FULL, by: 'assistant', do: cmd.chat(), expect: ok('chat.posted m-1 p-bojan "Bojan": "Hello"'), note: 'assistants chat' },
	{
		given: TRANSFERRED,
		by: 'Ana (ex-controller)',
		do: cmd.chat(),
		expect: ok('chat.posted m-1 p-ana "Ana": "Hello"'),
		note: 'the previous controller chats',
	},
	{ given: WAITING, by: 'customer', do: cmd.chat(), expect: ok('chat.posted m-1 c-1 "Mira": "Hello"'), note: 'while it waits' },
	{ given: CHATTED, by: 'customer', do: cmd.chat('Hello', 'm-1'), expect: ok(), note: 'the same message sent again posts once' },
	{ given: CHATTED, by: 'customer', do: cmd.chat('Hello', 'm-2'), expect: ok('chat.posted m-2 c-1 "Mira": "Hello"') },
	{ given: ONE, by: 'customer', do: cmd.chat(' \n\t '), expect: refused('messageEmpty') },
	{ given: ONE, by: 'otherRep', do: cmd.chat(), expect: refused('notInSession') },
	{ given: ONE, by: 'newCustomer', do: cmd.chat(), expect: refused('notInSession') },
	{ given: ONE, by: 'anonymous', do: cmd.chat(), expect: refused('notSignedIn') },
	{ given: ENDED, by: 'customer', do: cmd.chat(), expect: refused('sessionEnded') },
	{ given: NONE, by: 'customer', do: cmd.chat(), expect: refused('sessionNotFound') },

	// ------------------------------------------------------------ the transcript by mail (§9)
	{ given: ENDED, by: 'customer', do: cmd.transcript(), expect: ok('transcript.requested c-1 to mira@example.com en') },
	{ given: ENDED, by: 'customer2', do: cmd.transcript('n@example.com', 'sr'), expect: ok('transcript.requested c-2 to n@example.com sr') },
	{ given: ONE, by: 'customer', do: cmd.transcript(), expect: refused('sessionNotEnded') },
	{ given: ENDED, by: 'assistant', do: cmd.transcript(), expect: refused('notACustomer') },
	{ given: ENDED, by: 'newCustomer', do: cmd.transcript(), expect: refused('notInSession') },
	{ given: ENDED, by: 'anonymous', do: cmd.transcript(), expect: refused('notSignedIn') },
	{ given: ASKED, by: 'customer', do: cmd.transcript(), expect: refused('transcriptAlreadySent'), note: 'one mail per customer' },
	{ given: ASKED, by: 'customer2', do: cmd.transcript(), expect: ok('transcript.requested c-2 to mira@example.com en') },
	{
		given: ASKED_NOT_SENT,
		by: 'customer',
		do: cmd.transcript(),
		expect: ok('transcript.requested c-1 to mira@example.com en'),
		note: 'a mail that did not go out may be asked again',
	},
	{ given: ASKED, by: 'system', do: cmd.transcriptResult(C1), expect: ok('transcript.sent c-1') },
	{ given: ASKED, by: 'system', do: cmd.transcriptResult(C1, 'refused'), expect: ok('transcript.notSent c-1: refused') },
	{ given: ENDED, by: 'system', do: cmd.transcriptResult(C1), expect: ok(), note: 'nothing asked: nothing to record' },
	{ given: ASKED, by: 'customer', do: cmd.transcriptResult(C1), expect: refused('notController') },
	// ------------------------------------------------------------ the post-session survey (§10)
	{ given: ENDED, by: 'customer', do: cmd.survey(5, '  Thanks, Ana!  '), expect: ok('survey.answered c-1 5 "Thanks, Ana!"') },
	{ given: ENDED, by: 'customer2', do: cmd.survey(1), expect: ok('survey.answered c-2 1 ""'), note: 'the comment is optional' },
	{ given: SURVEYED, by: 'customer', do: cmd.survey(3), expect: refused('surveyAlreadyAnswered'), note: 'once per customer' },
	{ given: SURVEYED, by: 'customer2', do: cmd.survey(2), expect: ok('survey.answered c-2 2 ""') },
	{ given: ONE, by: 'customer', do: cmd.survey(), expect: refused('sessionNotEnded') },
	{ given: ENDED, by: 'customer', do: cmd.survey(0), expect: refused('invalidRating'), note: 'rating 0' },
	{ given: ENDED, by: 'customer', do: cmd.survey(6), expect: refused('invalidRating'), note: 'rating 6' },
	{ given: ENDED, by: 'customer', do: cmd.survey(4.5), expect: refused('invalidRating'), note: 'rating 4.5' },
	{ given: ENDED, by: 'customer', do: cmd.survey(4, 'ž'.repeat(1001)), expect: refused('commentTooLong') },
	{
		given: ENDED,
		by: 'customer',
		do: cmd.survey(4, '😀'.repeat(1000)),
		expect: ok(`survey.answered c-1 4 "${'😀'.repeat(1000)}"`),
		note: 'code points, not UTF-16 units',
	},
	{ given: ENDED, by: 'controller', do: cmd.survey(), expect: refused('notACustomer') },
	{ given: ENDED, by: 'newCustomer', do: cmd.survey(), expect: refused('notInSession') },
	{ given: ENDED, by: 'anonymous', do: cmd.survey(), expect: refused('notSignedIn') },
	{ given: NONE, by: 'customer', do: cmd.survey(), expect: refused('sessionNotFound') },
	// ------------------------------------------------------------ remote pointer and annotation (§9)
	{
		given: SHARING_CUSTOMER,
		by: 'controller',
		do: cmd.draw(C1),
		expect: ok('mark.drawn arrow on c-1 by p-ana (2 points)'),
		then: { marks: 'm-new on c-1' },
	},
	{
		given: SHARING_REP,
		by: 'controller',
		do: cmd.draw(
			pid(ANA),
			[
				[0, 0],
				[0.5, 0.5],
				[1, 1],
			],
			'freehand',
		),
		expect: ok('mark.drawn freehand on p-ana by p-ana (3 points)'),
		note: 'on their own shared screen too',
	},
	{ given: FULL, by: 'controller', do: cmd.draw(C1), expect: refused('notShared'), note: 'nothing shared' },
	{ given: SHARING_CUSTOMER, by: 'controller', do: cmd.draw(C2), expect: refused('notShared'), note: 'c-2 shares nothing' },
	{ given: SHARING_CUSTOMER, by: 'assistant', do: cmd.draw(C1), expect: refused('notController') },
	{ given: SHARING_CUSTOMER, by: 'customer', do: cmd.draw(C1), expect: refused('notController'), note: 'the customer sharing cannot draw' },
	{ given: SHARING_CUSTOMER, by: 'anonymous', do: cmd.draw(C1), expect: refused('notSignedIn') },
	{
		given: WAITING_SHARING,
		by: 'controller',
		do: cmd.draw(C1),
		expect: refused('notInSession'),
		note: 'nobody controls a waiting session',
	},
	{ given: ENDED, by: 'controller', do: cmd.draw(C1), expect: refused('sessionEnded') },
	{
		given: SHARING_CUSTOMER,
		by: 'controller',
		do: cmd.draw(C1, [
			[0, 0],
			[0.5, 0.5],
			[1, 1],
		]),
		expect: refused('invalidMark'),
		note: 'an arrow is two points',
	},
	{
		given: SHARING_CUSTOMER,
		by: 'controller',
		do: cmd.draw(C1, [
			[0, 0],
			[1.5, 0.5],
		]),
		expect: refused('invalidMark'),
		note: 'off the surface',
	},
	{
		given: SHARING_CUSTOMER,
		by: 'controller',
		do: cmd.draw(C1, [
			[0, Number.NaN],
			[1, 1],
		]),
		expect: refused('invalidMark'),
		note: 'NaN',
	},
	{
		given: SHARING_CUSTOMER,
		by: 'controller',
		do: cmd.draw(
			C1,
			Array.from({ length: 401 }, (_, i) => [i / 401, 0.5] as [number, number]),
			'freehand',
		),
		expect: refused('invalidMark'),
		note: 'at most 400 points',
	},
	{ given: MARKED, by: 'controller', do: cmd.clearMarks(C1), expect: ok('marks.cleared c-1 by p-ana'), then: { marks: 'm-2 on p-ana' } },
	{ given: MARKED, by: 'controller', do: cmd.clearMarks(null), expect: ok('marks.cleared all by p-ana'), then: { marks: '' } },
	{ given: SHARING_CUSTOMER, by: 'controller', do: cmd.clearMarks(C1), expect: ok(), note: 'nothing to clear: no event' },
	{ given: MARKED, by: 'assistant', do: cmd.clearMarks(null), expect: refused('notController') },
	{ given: MARKED, by: 'customer', do: cmd.clearMarks(C1), expect: refused('notController') },
	{ given: MARKED, by: 'controller', do: cmd.clearMarks(C2), expect: refused('notShared') },
	{
		given: MARKED,
		by: 'customer',
		do: cmd.stopA('sharing'),
		expect: ok('activity.stopped sharing c-1 stopped'),
		then: { marks: 'm-2 on p-ana' },
		note: 'a share’s marks end with it',
	},
	{
		given: MARKED,
		by: 'controller',
		do: cmd.transfer(pid(BOJAN)),
		expect: ok(
			'activity.stopped sharing p-ana controlTransferred',
			'activity.stopped sharing c-1 controlTransferred',
			'control.transferred p-ana→p-bojan',
		),
		then: { marks: '', controller: pid(BOJAN) },
		note: 'marks go with control',
	},
	{
		given: MARKED,
		by: 'controller',
		do: cmd.end(),
		expect: ok('activity.stopped sharing p-ana sessionEnded', 'activity.stopped sharing c-1 sessionEnded', 'session.ended ended by p-ana'),
		then: { marks: '', status: 'ended' },
	},
	{ given: SHARING_CUSTOMER, by: 'controller', do: cmd.point(C1), expect: ok(), note: 'pointing stores nothing' },
	{ given: FULL, by: 'controller', do: cmd.point(C1), expect: refused('notShared') },
	{ given: SHARING_CUSTOMER, by: 'assistant', do: cmd.point(C1), expect: refused('notController') },
	{ given: SHARING_CUSTOMER, by: 'customer', do: cmd.point(C1), expect: refused('notController') },
	// ------------------------------------------------------------ offerFile (§1, §9): Send file
	{
		given: FULL,
		by: 'controller',
		do: cmd.offerFile(),
		expect: ok('file.offered f-new "report.pdf" 1000 B application/pdf from p-ana to c-1 [Ana (r-ana), Mira]'),
		then: { files: 'f-new offered' },
		note: 'to the customer in focus by default',
	},
	{
		given: FULL.focused(C2),
		by: 'controller',
		do: cmd.offerFile(),
		expect: ok('file.offered f-new "report.pdf" 1000 B application/pdf from p-ana to c-2 [Ana (r-ana), Nikola]'),
	},
	{
		given: FULL,
		by: 'controller',
		do: cmd.offerFile(C2),
		expect: ok('file.offered f-new "report.pdf" 1000 B application/pdf from p-ana to c-2 [Ana (r-ana), Nikola]'),
	},
	{
		given: FULL,
		by: 'controller',
		do: cmd.offerFile('everyCustomer'),
		expect: ok('file.offered f-new "report.pdf" 1000 B application/pdf from p-ana to c-1+c-2 [Ana (r-ana), Mira, Nikola]'),
	},
	{
		given: FULL,
		by: 'customer',
		do: cmd.offerFile(),
		expect: ok('file.offered f-new "report.pdf" 1000 B application/pdf from c-1 to p-ana [Mira, Ana (r-ana)]'),
		note: "a customer's file goes to the controlling rep",
	},
	{
		given: FULL,
		by: 'customer',
		do: cmd.offerFile(pid(ANA)),
		expect: ok('file.offered f-new "report.pdf" 1000 B application/pdf from c-1 to p-ana [Mira, Ana (r-ana)]'),
	},
	{
		given: TRANSFERRED,
		by: 'customer',
		do: cmd.offerFile(),
		expect: ok('file.offered f-new "report.pdf" 1000 B application/pdf from c-1 to p-bojan [Mira, Bojan (r-bojan)]'),
		note: 'to whoever controls it now',
	},
	{ given: FULL, by: 'customer', do: cmd.offerFile(C2), expect: refused('noRecipient'), note: 'never to another customer' },
	{ given: FULL, by: 'customer', do: cmd.offerFile(pid(BOJAN)), expect: refused('noRecipient'), note: 'nor to an assistant' },
	{ given: FULL, by: 'controller', do: cmd.offerFile(pid(BOJAN)), expect: refused('notACustomer') },
	{ given: FULL, by: 'controller', do: cmd.offerFile(pid(ANA)), expect: refused('notACustomer') },
	{ given: FULL, by: 'controller', do: cmd.offerFile('c-gone'), expect: refused('participantNotFound') },
	{ given: ALONE, by: 'controller', do: cmd.offerFile(), expect: refused('noRecipient') },
	{ given: ALONE, by: 'controller', do: cmd.offerFile('everyCustomer'), expect: refused('noRecipient') },
	{ given: FULL, by: 'assistant', do: cmd.offerFile(C1), expect: refused('assistantsCannotDoThat'), note: 'assistants: no files' },
	{ given: TRANSFERRED, by: 'Ana (ex-controller)', do: cmd.offerFile(C1), expect: refused('assistantsCannotDoThat') },
	{ given: FULL, by: 'otherRep', do: cmd.offerFile(C1), expect: refused('notInSession') },
	{ given: FULL, by: 'newCustomer', do: cmd.offerFile(), expect: refused('notInSession') },
	{ given: FULL, by: 'anonymous', do: cmd.offerFile(), expect: refused('notSignedIn') },
	{ given: FULL, by: 'system', do: cmd.offerFile(), expect: refused('notInSession') },
	{ given: WAITING, by: 'customer', do: cmd.offerFile(), expect: refused('sessionWaiting'), note: 'nobody controls it while it waits' },
	{ given: ENDED, by: 'controller', do: cmd.offerFile(), expect: refused('sessionEnded') },
	{ given: NONE, by: 'controller', do: cmd.offerFile(), expect: refused('sessionNotFound') },
	{ given: FULL, by: 'controller', do: cmd.offerFile(C1, { size: 0 }), expect: refused('fileEmpty') },
	{ given: FULL, by: 'controller', do: cmd.offerFile(C1, { size: -1 }), expect: refused('fileEmpty') },
	{
		given: FULL,
		by: 'controller',
		do: cmd.offerFile(C1, { size: LIMIT }),
		expect: ok(`file.offered f-new "report.pdf" ${LIMIT} B application/pdf from p-ana to c-1 [Ana (r-ana), Mira]`),
		note: 'exactly the limit',
	},
	{ given: FULL, by: 'controller', do: cmd.offerFile(C1, { size: LIMIT + 1 }), expect: refused('fileTooLarge') },
	{
		given: FULL,
		by: 'customer',
		do: cmd.offerFile(null, { size: 2000 }),
		ctx: { fileSizeLimit: 1999 },
		expect: refused('fileTooLarge'),
		note: 'the site limit as read',
	},
	{ given: FULL, by: 'controller', do: cmd.offerFile(C1, { name: '../x' }), expect: refused('invalidFileName'), note: 'a path part' },
	{ given: FULL, by: 'controller', do: cmd.offerFile(C1, { name: 'a\\b.txt' }), expect: refused('invalidFileName') },
	{ given: FULL, by: 'controller', do: cmd.offerFile(C1, { name: '..' }), expect: refused('invalidFileName') },
	{ given: FULL, by: 'controller', do: cmd.offerFile(C1, { name: 'a\u0000.txt' }), expect: refused('invalidFileName'), note: 'NUL' },
	{ given: FULL, by: 'controller', do: cmd.offerFile(C1, { name: 'invoice\u202Efdp.exe' }), expect: refused('invalidFileName') },
	{ given: FULL, by: 'controller', do: cmd.offerFile(C1, { name: 'x'.repeat(300) }), expect: refused('invalidFileName') },
	{ given: FULL, by: 'controller', do: cmd.offerFile(C1, { name: '' }), expect: refused('invalidFileName') },
	{
		given: FULL,
		by: 'controller',
		do: cmd.offerFile(C1, { name: '😀'.repeat(255) }),
		expect: ok(`file.offered f-new "${'😀'.repeat(255)}" 1000 B application/pdf from p-ana to c-1 [Ana (r-ana), Mira]`),
		note: '255 code points (510 UTF-16 units) is within the limit',
	},
	{
		given: FILE_OFFERED,
		by: 'controller',
		do: cmd.offerFile(C1, { fileId: 'f-1' }),
		expect: ok(),
		note: 'the same offer again: already there',
	},

	// ------------------------------------------------------------ acceptFile (§9): the receiver accepts before downloading
	{
		given: FILE_OFFERED,
		by: 'customer',
		do: cmd.acceptFile(),
		expect: ok('file.accepted f-1 by c-1'),
		then: { files: 'f-1 offered accepted c-1' },
	},
	{ given: FILE_DONE, by: 'customer', do: cmd.acceptFile(), expect: ok('file.accepted f-1 by c-1'), note: 'complete: may download now' },
	{ given: FILE_ACCEPTED, by: 'customer', do: cmd.acceptFile(), expect: ok(), note: 'once is enough' },
	{ given: FILE_FROM_CUSTOMER, by: 'controller', do: cmd.acceptFile('f-2'), expect: ok('file.accepted f-2 by p-ana') },
	{ given: FILE_TO_BOTH, by: 'customer2', do: cmd.acceptFile('f-3'), expect: ok('file.accepted f-3 by c-2') },
	{ given: FILE_OFFERED, by: 'customer2', do: cmd.acceptFile(), expect: refused('notFileRecipient'), note: 'not theirs' },
	{ given: FILE_OFFERED, by: 'assistant', do: cmd.acceptFile(), expect: refused('notFileRecipient') },
	{ given: FILE_OFFERED, by: 'controller', do: cmd.acceptFile(), expect: refused('notFileRecipient'), note: 'the sender' },
	{ given: FILE_OFFERED, by: 'otherRep', do: cmd.acceptFile(), expect: refused('notInSession') },
	{ given: FILE_OFFERED, by: 'anonymous', do: cmd.acceptFile(), expect: refused('notSignedIn') },
	{ given: FILE_CANCELLED, by: 'customer', do: cmd.acceptFile(), expect: refused('fileCancelled') },
	{ given: FILE_EXPIRED, by: 'customer', do: cmd.acceptFile(), expect: refused('fileExpired') },
	{ given: FULL, by: 'customer', do: cmd.acceptFile(), expect: refused('fileNotFound') },
	{ given: FILE_DONE_ENDED, by: 'customer', do: cmd.acceptFile(), expect: refused('sessionEnded') },

	// ------------------------------------------------------------ uploadFile (§9): only the sender uploads, as offered
	{
		given: FILE_OFFERED,
		by: 'controller',
		do: cmd.uploadFile(1000),
		expect: ok('file.uploadStarted f-1'),
		then: { files: 'f-1 uploading' },
	},
	{ given: FILE_UPLOADING, by: 'controller', do: cmd.uploadFile(null), expect: ok(), note: 'going on with it changes nothing' },
	{ given: FILE_UPLOADING, by: 'controller', do: cmd.uploadFile(1000), expect: ok(), note: 'created again: starts over' },
	{ given: FILE_DONE, by: 'controller', do: cmd.uploadFile(null), expect: ok(), note: 'finds it complete' },
	{ given: FILE_DONE, by: 'controller', do: cmd.uploadFile(1000), expect: refused('fileAlreadyComplete') },
	{ given: FILE_OFFERED, by: 'controller', do: cmd.uploadFile(999), expect: refused('fileSizeMismatch') },
	{ given: FILE_OFFERED, by: 'controller', do: cmd.uploadFile(1001), expect: refused('fileSizeMismatch') },
	{ given: FILE_OFFERED, by: 'controller', do: cmd.uploadFile(LIMIT + 1), expect: refused('fileTooLarge'), note: 'past the limit' },
	{
		given: FILE_OFFERED,
		by: 'controller',
		do: cmd.uploadFile(1000),
		ctx: { fileSizeLimit: 999 },
		expect: refused('fileTooLarge'),
		note: 'the limit lowered since the offer',
	},
	{ given: FILE_FROM_CUSTOMER, by: 'customer', do: cmd.uploadFile(null, 'f-2'), expect: ok() },
	{ given: FILE_FROM_CUSTOMER, by: 'controller', do: cmd.uploadFile(null, 'f-2'), expect: refused('notFileSender'), note: 'the recipient' },
	{ given: FILE_UPLOADING, by: 'customer', do: cmd.uploadFile(null), expect: refused('notFileSender') },
	{ given: FILE_UPLOADING, by: 'customer2', do: cmd.uploadFile(null), expect: refused('notFileSender') },
	{ given: FILE_UPLOADING, by: 'assistant', do: cmd.uploadFile(null), expect: refused('assistantsCannotDoThat') },
	{ given: FILE_UPLOADING, by: 'otherRep', do: cmd.uploadFile(null), expect: refused('notInSession') },
	{ given: FILE_UPLOADING, by: 'anonymous', do: cmd.uploadFile(null), expect: refused('notSignedIn') },
	{ given: FILE_CANCELLED, by: 'controller', do: cmd.uploadFile(null), expect: refused('fileCancelled') },
	{ given: FILE_EXPIRED, by: 'controller', do: cmd.uploadFile(null), expect: refused('fileExpired') },
	{ given: FILE_DONE_ENDED, by: 'controller', do: cmd.uploadFile(null), expect: refused('sessionEnded') },
	{ given: FULL, by: 'controller', do: cmd.uploadFile(1000), expect: refused('fileNotFound') },

	// ------------------------------------------------------------ fileUploaded (§9): every byte arrived, with its SHA-256
	{
		given: FILE_UPLOADING,
		by: 'system',
		do: cmd.fileUploaded(),
		expect: ok('file.uploaded f-1 1000 B sha256 SHA'),
		then: { files: 'f-1 complete' },
	},
	{ given: FILE_DONE, by: 'system', do: cmd.fileUploaded(), expect: ok(), note: 'told twice' },
	{ given: FILE_UPLOADING, by: 'system', do: cmd.fileUploaded(999), expect: refused('fileSizeMismatch') },
	{
		given: FILE_CANCELLED,
		by: 'system',
		do: cmd.fileUploaded(),
		expect: refused('fileCancelled'),
		note: 'cancelled while its last bytes came',
	},
	{ given: FILE_UPLOADING, by: 'controller', do: cmd.fileUploaded(), expect: refused('notController'), note: 'only the server says so' },
	{ given: FILE_UPLOADING, by: 'customer', do: cmd.fileUploaded(), expect: refused('notController') },

	// ------------------------------------------------------------ cancelFile (§1, §9): the controller any, a sender their own
	{
		given: FILE_UPLOADING,
		by: 'controller',
		do: cmd.cancelFile(),
		expect: ok('file.cancelled f-1 cancelled by p-ana'),
		then: { files: 'f-1 cancelled' },
	},
	{ given: FILE_OFFERED, by: 'controller', do: cmd.cancelFile(), expect: ok('file.cancelled f-1 cancelled by p-ana') },
	{
		given: FILE_FROM_CUSTOMER,
		by: 'customer',
		do: cmd.cancelFile('f-2'),
		expect: ok('file.cancelled f-2 cancelled by c-1'),
		note: 'their own',
	},
	{
		given: FILE_FROM_CUSTOMER,
		by: 'controller',
		do: cmd.cancelFile('f-2'),
		expect: ok('file.cancelled f-2 cancelled by p-ana'),
		note: "the controller manages every transfer, a customer's too",
	},
	{ given: FILE_UPLOADING, by: 'customer', do: cmd.cancelFile(), expect: refused('notFileSender'), note: 'a recipient' },
	{ given: FILE_FROM_CUSTOMER, by: 'customer2', do: cmd.cancelFile('f-2'), expect: refused('notFileSender') },
	{ given: FILE_UPLOADING, by: 'assistant', do: cmd.cancelFile(), expect: refused('assistantsCannotDoThat') },
	{ given: FILE_UPLOADING, by: 'otherRep', do: cmd.cancelFile(), expect: refused('notInSession') },
	{ given: FILE_UPLOADING, by: 'anonymous', do: cmd.cancelFile(), expect: refused('notSignedIn') },
	{ given: FILE_DONE, by: 'controller', do: cmd.cancelFile(), expect: refused('fileAlreadyComplete'), note: 'a complete file stays' },
	{ given: FILE_CANCELLED, by: 'controller', do: cmd.cancelFile(), expect: refused('fileCancelled') },
	{ given: FILE_EXPIRED, by: 'controller', do: cmd.cancelFile(), expect: refused('fileExpired') },
	{ given: FULL, by: 'controller', do: cmd.cancelFile(), expect: refused('fileNotFound') },

	// ------------------------------------------------------------ expireFile (§9): the retention period is over
	{ given: FILE_DONE, by: 'system', do: cmd.expireFile(), expect: ok('file.expired f-1'), then: { files: 'f-1 expired' } },
	{ given: FILE_DONE_ENDED, by: 'system', do: cmd.expireFile(), expect: ok('file.expired f-1'), note: 'long after the end' },
	{ given: FILE_EXPIRED, by: 'system', do: cmd.expireFile(), expect: ok(), note: 'fired twice' },
	{ given: FILE_CANCELLED, by: 'system', do: cmd.expireFile(), expect: ok(), note: 'its data went when it was cancelled' },
	{ given: FILE_DONE, by: 'controller', do: cmd.expireFile(), expect: refused('notController') },
	{ given: FULL, by: 'system', do: cmd.expireFile(), expect: refused('fileNotFound') },
	{ given: NONE, by: 'system', do: cmd.expireFile(), expect: refused('sessionNotFound') },
];

// ================================================================== running the table

/**
 * The loads a command needs, as the runner reads them (sessionCommands.ts): the controlling rep's, and the
 * rep control would go to — as they are in the people above, null when there is no such rep.
 */
function inputsOf(state: SessionState | null, command: Command): Required<Inputs> {
	const repAt = (participantId: string | null | undefined) => {
		const repId = state?.participants.find((p) => p.id === participantId)?.repId;
		return REPS.find((r) => r.repId === repId) ?? null;
	};
	return {
		controllerLoad: repAt(state?.controllerId),
		targetLoad: command.type === 'transferControl' ? repAt(command.to) : null,
		queue: { id: 'q-1', name: 'Printers', openToCustomers: true },
		agentLoad: null,
		targetQueue: command.type === 'transferSession' && command.queueId ? { id: command.queueId, name: 'Printers' } : null,
		targetAgents:
			command.type === 'transferSession'
				? command.agents.map((repId) => ({ repId, isAgent: [EVA, FILIP].some((a) => a.repId === repId), state: 'available' as const }))
				: [],
		fileSizeLimit: LIMIT,
	};
}

function actorOf(row: Case): Actor {
	const actor: Actor = actors[row.by];
	return actor.kind === 'rep' && row.load ? { ...actor, rep: { ...actor.rep, ...row.load } } : actor;
}

function nameOf(row: Case): string {
	const outcome =
		'refused' in row.expect
			? `refused ${row.expect.refused}`
			: row.expect.events.length
				? `ok: ${row.expect.events.join('; ')}`
				: 'ok, no events';
	const extra = [
		row.load && `load ${JSON.stringify(row.load)}`,
		row.ctx?.controllerLoad && `controller helps ${row.ctx.controllerLoad.customersHelped}/${row.ctx.controllerLoad.maxCustomers}`,
		row.ctx?.targetLoad &&
			`target ${row.ctx.targetLoad.mode} ${row.ctx.targetLoad.controlledSessions}/${row.ctx.targetLoad.maxSessions} sessions, ${row.ctx.targetLoad.customersHelped}/${row.ctx.targetLoad.maxCustomers} customers`,
		row.note,
	].filter(Boolean);
	return `${describeCommand(row.do)} · by ${row.by} · in [${row.given.label}]${extra.length ? ` (${extra.join('; ')})` : ''} ⇒ ${outcome}`;
}

function deepFreeze<T>(value: T): T {
	if (value && typeof value === 'object' && !Object.isFrozen(value)) {
		Object.freeze(value);
		for (const v of Object.values(value)) deepFreeze(v);
	}
	return value;
}

/** What must hold of any state the rules can reach. */
function expectConsistent(s: SessionState | null, eventCount: number): void {
	if (!s) return;
	expect(s.version).toBe(eventCount);
	const controllers = s.participants.filter((p) => p.role === 'controller').map((p) => p.id);
	if (s.status === 'live') expect(controllers, 'exactly one controller in a live session').toEqual([s.controllerId]);
	if (s.status === 'waiting') expect([controllers, s.controllerId], 'no controller while waiting').toEqual([[], null]);
	if (s.status === 'ended') {
		expect(s.controllerId).toBeNull();
		expect(s.activities).toEqual(noActivities());
	}
	expect(new Set(s.participants.map((p) => p.id)).size, 'participant ids unique').toBe(s.participants.length);
	if (s.focusedCustomerId) expect(s.participants.find((p) => p.id === s.focusedCustomerId)?.role).toBe('customer');
	expect(new Set(s.invitations.map((i) => i.id)).size, 'invitation ids unique').toBe(s.invitations.length);
	for (const i of s.invitations) {
		if (i.sentAt !== null || i.sendError !== null) expect(i.via, 'only e-mail invitations are mailed by Tandem').toBe('email');
		if (i.sendError !== null) expect(i.revokedAt, 'an invitation whose e-mail failed is withdrawn').not.toBeNull();
		expect(i.sentAt !== null && i.sendError !== null, 'sent or not sent, never both').toBe(false);
	}
	expect(new Set(s.files.map((f) => f.id)).size, 'file ids unique').toBe(s.files.length);
	for (const f of s.files) {
		const inFlight = f.status === 'offered' || f.status === 'uploading';
		if (s.status !== 'live') expect(inFlight, `no transfer in flight while ${s.status} (${f.id})`).toBe(false);
		if (inFlight) {
			const here = (id: string) => s.participants.some((p) => p.id === id);
			expect(here(f.sender.participantId), `the sender of ${f.id} in flight is there`).toBe(true);
			expect(
				f.recipients.some((r) => here(r.participantId)),
				`a recipient of ${f.id} in flight is there`,
			).toBe(true);
		}
		expect(f.sha256 !== null, `only a file that arrived has a SHA-256 (${f.id} ${f.status})`).toBe(
			f.status === 'complete' || f.status === 'expired',
		);
		expect(f.cancelled !== null, 'only a cancelled file says why').toBe(f.status === 'cancelled');
		for (const id of f.acceptedBy)
			expect(
				f.recipients.map((r) => r.participantId),
				'only recipients accept',
			).toContain(id);
	}
	for (const id of [...s.activities.sharing, ...s.activities.video]) {
		const p = s.participants.find((x) => x.id === id);
		expect(p, `${id} shares or shows video while present`).toBeDefined();
		expect(p?.role, 'assistants neither share nor show video').not.toBe('assistant');
	}
}

/** Applies accepted events one by one, checking that replaying the whole log gives the same state. */
function fold(log: readonly SessionEvent[], before: SessionState | null, events: readonly SessionEvent[]): SessionState | null {
	let state = before;
	for (const e of events) state = deepFreeze(evolve(state, e));
	expect(replay([...log, ...events]), 'replay of all events equals folding step by step').toEqual(state);
	return state;
}

// A row prints as its name: vitest cuts `$field` values in titles to 40 characters, but `%s` of an
// object with its own toString is printed whole.
const rows = table.map((row) => {
	const name = nameOf(row);
	return { ...row, name, toString: () => name };
});
const commandTypes = [...new Set(rows.map((r) => r.do.type))];

describe('session rule table', () => {
	it('names every row differently', () => {
		const seen = new Map<string, number>();
		for (const r of rows) seen.set(r.name, (seen.get(r.name) ?? 0) + 1);
		expect([...seen].filter(([, n]) => n > 1).map(([name]) => name)).toEqual([]);
	});

	for (const type of commandTypes) {
		describe(type, () => {
			it.each(rows.filter((r) => r.do.type === type))('%s', (row) => {
				const before = row.given.state();
				const actor = actorOf(row);
				// An agent accepting brings their own load (one session at a time unless the row says otherwise).
				const agentLoad = actor.kind === 'rep' ? { ...actor.rep, capacity: 1 } : null;
				const decision = decide(before, row.do, actor, { now: NOW, ...inputsOf(before, row.do), agentLoad, ...row.ctx });

				if ('refused' in row.expect) {
					expect(decision).toEqual({ ok: false, refusal: { code: row.expect.refused } });
					return;
				}
				if (!decision.ok) throw new Error(`refused ${decision.refusal.code}`);
				expect(decision.events.map(summary)).toEqual(row.expect.events);
				for (const e of decision.events) expect(e.at).toBe(NOW);

				const after = fold(row.given.events, before, decision.events);
				expectConsistent(after, row.given.events.length + decision.events.length);
				if (row.then) expect(look(after!)).toMatchObject(row.then);
			});
		});
	}
});

// ================================================================== can, asked of the rules

// What a page offers (`can`, capabilities.ts) must be what `decide` accepts: for every state of the table,
// every viewer and every command a capability stands for. The probe assumes no limit is reached, so `can`
// may offer a transfer that the target's real load then refuses — and only that.
describe('capabilities agree with decide', () => {
	const loadRefusals: RefusalCode[] = ['targetOverloaded', 'targetSingleSessionBusy'];
	const states = [...new Set(rows.map((r) => r.given))].flatMap((g) => {
		const state = g.state();
		return state ? [{ label: g.label, state }] : [];
	});
	const viewers: { name: string; viewer: Viewer; actor: Actor }[] = [
		...REPS.map((r) => ({ name: r.name, viewer: { kind: 'rep', repId: r.repId } as const, actor: { kind: 'rep', rep: r } as const })),
		...[C1, C2, 'c-stranger'].map((id) => ({
			name: id,
			viewer: { kind: 'customer', participantId: id } as const,
			actor: { kind: 'customer', participantId: id } as const,
		})),
	];
	const sessionWide = (can: SessionCapabilities): [string, boolean, Command[]][] => [
		['invite', can.invite, [cmd.invite('customer'), cmd.invite('rep')]],
		['end', can.end, [cmd.end()]],
		['leave', can.leave, [cmd.leave()]],
		['share', can.share, [cmd.send('screen')]],
		['video', can.video, [cmd.send('camera')]],
		['talk', can.talk, [cmd.send('microphone')]],
		['voiceCall', can.voiceCall, [cmd.startA('voiceCall'), cmd.stopA('voiceCall')]],
		['record', can.record, [cmd.startA('recording'), cmd.stopA('recording')]],
		['sendFile', can.sendFile, [cmd.offerFile(null), cmd.offerFile('everyCustomer')]],
	];

	it.each(states)('in [%s]', ({ label, state }) => {
		const disagreements: string[] = [];
		let checked = 0;
		const check = (who: string, what: string, can: boolean, commands: Command[], actor: Actor) => {
			const answers = commands.map((c) => decide(state, c, actor, { now: NOW, ...inputsOf(state, c) }));
			const accepted = answers.some((d) => d.ok);
			const refusedByLoad = answers.every((d) => !d.ok && loadRefusals.includes(d.refusal.code));
			checked++;
			if (accepted !== can && !(can && refusedByLoad)) {
				const why = answers.map((d) => (d.ok ? 'ok' : d.refusal.code)).join('/');
				disagreements.push(`${who}: can.${what} is ${can}, decide says ${why}`);
			}
		};
		for (const { name, viewer, actor } of viewers) {
			const { can, participants } = capabilitiesOf(state, viewer);
			for (const [what, allowed, commands] of sessionWide(can)) check(name, what, allowed, commands, actor);
			for (const p of state.participants) {
				const pc = participants.get(p.id)!;
				check(name, `focus(${p.id})`, pc.focus, [cmd.focus(p.id)], actor);
				check(name, `remove(${p.id})`, pc.remove, [cmd.remove(p.id)], actor);
				check(name, `transferTo(${p.id})`, pc.transferTo, [cmd.transfer(p.id)], actor);
			}
			for (const f of state.files) {
				const fc = fileCapabilitiesOf(state, viewer, f);
				// Accepting again is accepted with nothing to do: `can.accept` offers only what does something.
				const accepts = decide(state, cmd.acceptFile(f.id), actor, { now: NOW, ...inputsOf(state, cmd.acceptFile(f.id)) });
				checked++;
				if (fc.accept !== (accepts.ok && accepts.events.length > 0)) disagreements.push(`${name}: can.accept(${f.id}) is ${fc.accept}`);
				check(name, `cancel(${f.id})`, fc.cancel, [cmd.cancelFile(f.id)], actor);
			}
			const any = (k: keyof ParticipantCapabilities) => [...participants.values()].some((c) => c[k]);
			expect([can.focus, can.removeParticipant, can.transferControl]).toEqual([any('focus'), any('remove'), any('transferTo')]);
		}
		expect(disagreements, label).toEqual([]);
		expect(checked).toBeGreaterThan(viewers.length * 8);
	});

	it('offers a transfer the target’s load then refuses, and says so only then', () => {
		const state = FULL.state()!;
		const ana = { kind: 'rep', repId: ANA.repId } as const;
		expect(capabilitiesOf(state, ana).participants.get(pid(BOJAN))?.transferTo).toBe(true);
		const busy = { targetLoad: idle(BOJAN, { mode: 'single', controlledSessions: 1 }) };
		expect(decide(state, cmd.transfer(pid(BOJAN)), actors.controller, { now: NOW, ...busy })).toEqual({
			ok: false,
			refusal: { code: 'targetSingleSessionBusy' },
		});
		expect(capabilitiesOf(state, ana).participants.get(C1)?.transferTo, 'never to a customer').toBe(false);
	});
});

// ================================================================== properties over random command sequences

/** A small seeded generator (mulberry32), so a failing walk can be replayed. */
function rng(seed: number) {
	let a = seed >>> 0;
	const next = () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
	};
	return {
		int: (n: number) => Math.floor(next() * n),
		pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
		chance: (p: number) => next() < p,
	};
}

describe('properties over random command sequences', () => {
	const reps = [ANA, BOJAN, CECA, DARA];
	const agents = [EVA, FILIP];
	const customerIds = ['c-1', 'c-2', 'c-3'];
	const activities: Activity[] = ['sharing', 'video', 'recording', 'voiceCall'];
	const WALKS = 800;
	const STEPS = 100;

	it(`${WALKS} walks of ${STEPS} commands: replay equals folding, one controller while live, every command type accepted`, () => {
		const accepted = new Map<string, number>();
		let acceptedTotal = 0;
		for (let walk = 0; walk < WALKS; walk++) {
			const r = rng(walk + 1);
			// Each walk starts with a rep pressing Start, or (a sixth of them) a customer asking for help in a
			// queue (a walk from nothing mostly hits sessionNotFound).
			// Some walks are an agent's own sessions (which they may transfer to WebACD).
			const starter = walk % 5 === 1 ? EVA : r.pick(reps);
			const help = walk % 6 === 0;
			const opening = help
				? decide(
						null,
						cmd.help(),
						{ kind: 'customer', participantId: null },
						{ now: NOW, queue: { id: 'q-1', name: 'Q', openToCustomers: true } },
					)
				: decide(null, cmd.start(pid(starter)), { kind: 'rep', rep: starter }, { now: NOW });
			if (!opening.ok) throw new Error('opening refused');
			let log: SessionEvent[] = [];
			let state: SessionState | null = fold(log, null, opening.events);
			log = [...opening.events];
			accepted.set(help ? 'requestHelp' : 'start', (accepted.get(help ? 'requestHelp' : 'start') ?? 0) + 1);
			for (let step = 0; step < STEPS; step++) {
				const now = NOW + step;
				const someone = () => r.pick([...(state?.participants.map((p) => p.id) ?? []), ...customerIds, 'p-nobody']);
				const anInvitation = () => r.pick([...(state?.invitations.map((i) => i.id) ?? []), 'i-nobody']);
				const anOffer = () => r.pick([...(state?.handover?.offers.map((o) => o.id) ?? []), 'o-nobody']);
				// Mostly a file of the session's, the latest ones most.
				const aFile = () => {
					const ids = state?.files.map((f) => f.id) ?? [];
					return ids.length && r.chance(0.9) ? ids[Math.max(0, ids.length - 1 - r.int(2))]! : 'f-nobody';
				};
				const sizeOf = (fileId: string) => state?.files.find((f) => f.id === fileId)?.size ?? 1000;
				const offerAFile = () =>
					cmd.offerFile(r.pick([null, null, 'everyCustomer', someone()]), {
						fileId: `f-${step}`,
						size: r.pick([1000, 1000, 1000, 0, LIMIT + 1]),
						name: r.pick(['a.pdf', 'a.pdf', 'a.pdf', '../a.pdf']),
					});
				const handleAFile = () => {
					const fileId = aFile();
					return r.pick([
						cmd.acceptFile(fileId),
						cmd.uploadFile(r.chance(0.3) ? null : sizeOf(fileId) + (r.chance(0.1) ? 1 : 0), fileId),
						cmd.uploadFile(sizeOf(fileId), fileId),
						cmd.fileUploaded(sizeOf(fileId), fileId),
						cmd.fileUploaded(sizeOf(fileId), fileId),
						cmd.cancelFile(fileId),
						cmd.expireFile(fileId),
					]);
				};
				const load = (over: Partial<RepLoad> = {}): RepLoad => ({
					...r.pick(reps),
					mode: r.chance(0.2) ? 'single' : 'multi',
					controlledSessions: r.int(2),
					customersHelped: r.int(4),
					...over,
				});
				let actor: Actor;
				const who = r.int(10);
				if (who < 5) actor = { kind: 'rep', rep: { ...r.pick(reps), controlledSessions: r.chance(0.9) ? 0 : 1 } };
				else if (who < 8) actor = { kind: 'customer', participantId: r.chance(0.8) ? r.pick(customerIds) : null };
				else if (who < 9) actor = { kind: 'anonymous' };
				else actor = { kind: 'system' };
				// Reps mostly act on their own session: prefer someone present (the one in control, now and then).
				if (state && actor.kind === 'rep' && r.chance(0.2)) {
					const controller = state.participants.find((p) => p.id === state!.controllerId)?.repId;
					const rep = [...reps, ...agents].find((x) => x.repId === controller);
					if (rep) actor = { kind: 'rep', rep };
				} else if (state && actor.kind === 'rep' && r.chance(0.7)) {
					const present = state.participants.filter((p) => p.repId);
					if (present.length) {
						const repId = r.pick(present).repId;
						actor = { kind: 'rep', rep: [...reps, ...agents].find((x) => x.repId === repId)! };
					}
				}
				// Ending is rare, so that walks get somewhere before the session ends.
				const picked: Command = r.chance(0.03)
					? r.pick([cmd.end(), cmd.lostConsole(r.pick(['consoleClosed', 'connectionLost'] as const))])
					: r.pick<() => Command>([
							() => cmd.start(actor.kind === 'rep' ? pid(actor.rep) : 'p-nobody'),
							() =>
								cmd.join(
									r.pick(['Vesna', ' ', 'Žika']),
									actor.kind === 'customer' && actor.participantId ? actor.participantId : `c-n${step}`,
								),
							() =>
								cmd.join(
									r.pick(['Vesna', ' ', 'Žika']),
									actor.kind === 'customer' && actor.participantId ? actor.participantId : `c-n${step}`,
								),
							() => cmd.assist(actor.kind === 'rep' ? actor.rep : r.pick(reps)),
							() => cmd.focus(someone()),
							() => cmd.transfer(someone(), r.chance(0.3)),
							() => cmd.transfer(someone(), r.chance(0.3)),
							() => cmd.transfer(r.pick(reps.map(pid)), r.chance(0.3)),
							() => cmd.leave(),
							() => cmd.remove(someone()),
							() => cmd.startA(r.pick(activities)),
							() => cmd.startA(r.pick(activities)),
							() => cmd.stopA(r.pick(activities), r.chance(0.5) ? someone() : undefined),
							(): Command => ({ type: 'reportMediaLost', direction: r.pick(['send', 'receive'] as const) }),
							() =>
								cmd.invite(
									r.pick(['customer', 'rep'] as const),
									r.pick(['link', 'mailto', 'email'] as const),
									r.chance(0.8) ? 'x@example.com' : null,
									`i-${step}`,
								),
							() => cmd.revoke(anInvitation()),
							() => cmd.mailResult(anInvitation(), r.chance(0.7) ? null : 'refused'),
							() =>
								cmd.joinByLink(
									anInvitation(),
									'Vesna',
									actor.kind === 'customer' && actor.participantId ? actor.participantId : `c-n${step}`,
								),
							() => cmd.assistByLink(anInvitation(), actor.kind === 'rep' ? actor.rep : r.pick(reps)),
							() => cmd.send(r.pick(['screen', 'camera', 'microphone'] as const)),
							() => cmd.mediaFailed(r.pick(['closeProducers', 'stopRecording', 'startRecording'] as const)),
							() => cmd.help(),
							() => cmd.offer(...r.pick([[EVA], [FILIP], [EVA, FILIP]]).map((a, i): [string, RepLoad] => [`o-${step}-${i}`, a])),
							() => cmd.offer(...r.pick([[EVA], [FILIP], [EVA, FILIP]]).map((a, i): [string, RepLoad] => [`o-${step}-${i}`, a])),
							() => cmd.accept(anOffer(), actor.kind === 'rep' ? actor.rep : r.pick(reps)),
							() => cmd.accept(anOffer(), actor.kind === 'rep' ? actor.rep : r.pick(reps)),
							() => cmd.decline(anOffer()),
							() => cmd.expire(anOffer()),
							() => cmd.toQueue(r.pick(['q-1', 'q-2'])),
							() => cmd.toAgents(r.pick([[EVA], [FILIP], [EVA, FILIP]])),
							() => cmd.nextRound(r.pick(['q-1', 'q-2', null])),
							() => cmd.chat(r.pick(['Hello', ' ', 'Zdravo']), `m-${r.int(STEPS)}`),
							() =>
								r.chance(0.4)
									? cmd.transcript()
									: r.chance(0.6)
										? cmd.survey(r.chance(0.8) ? 1 + r.int(5) : r.pick([0, 6]), r.pick(['', 'Good']))
										: cmd.transcriptResult(r.pick(customerIds), r.chance(0.5) ? null : 'refused'),
							offerAFile,
							handleAFile,
							offerAFile,
							handleAFile,
							() => {
								const shared = state?.activities.sharing ?? [];
								const share = shared.length && r.chance(0.9) ? r.pick(shared) : r.pick(customerIds);
								return r.pick([cmd.draw(share), cmd.draw(share), cmd.clearMarks(r.chance(0.5) ? share : null), cmd.point(share)]);
							},
						])();
				// Offers are mostly answered by the agent they were made to (who joins as themself).
				let command = picked;
				if ((picked.type === 'acceptOffer' || picked.type === 'declineOffer') && r.chance(0.7)) {
					const offer = state?.handover?.offers.find((o) => o.id === picked.offerId);
					const agent = agents.find((x) => x.repId === offer?.repId);
					if (agent) {
						actor = { kind: 'rep', rep: agent };
						if (picked.type === 'acceptOffer') command = cmd.accept(picked.offerId, agent);
					}
				}
				// A transcript is mostly asked for by a customer of the session.
				const customerThere = state?.participants.find((p) => p.role === 'customer');
				if ((picked.type === 'requestTranscript' || picked.type === 'answerSurvey') && customerThere && r.chance(0.8))
					actor = { kind: 'customer', participantId: customerThere.id };
				// Marks are mostly drawn by the controlling rep.
				const controllerThere = state?.participants.find((p) => p.id === state?.controllerId);
				if (['drawMark', 'clearMarks', 'point'].includes(picked.type) && controllerThere?.repId && r.chance(0.8)) {
					const rep = [...reps, ...agents].find((x) => x.repId === controllerThere.repId);
					if (rep) actor = { kind: 'rep', rep };
				}
				// Files are mostly handled by who they concern: the sender uploads, a recipient accepts, the server completes.
				if ('fileId' in command && command.type !== 'offerFile' && r.chance(0.9)) {
					const file = state?.files.find((f) => f.id === command.fileId);
					const party =
						command.type === 'acceptFile'
							? file?.recipients[r.int(file.recipients.length)]
							: command.type === 'uploadFile' || command.type === 'cancelFile'
								? file?.sender
								: undefined;
					const rep = [...reps, ...agents].find((x) => x.repId === party?.repId);
					if (command.type === 'fileUploaded' || command.type === 'expireFile') actor = { kind: 'system' };
					else if (rep) actor = { kind: 'rep', rep };
					else if (party) actor = { kind: 'customer', participantId: party.participantId };
				}
				// Invitations made at step n expire a day later, some of them within the walk (below).
				const ctx: DecideContext = {
					now: r.chance(0.1) ? now + DAY : now,
					...inputsOf(state, command),
					agentLoad: actor.kind === 'rep' ? { ...actor.rep, capacity: r.chance(0.8) ? 2 : 1 } : null,
					...(r.chance(0.5) ? { controllerLoad: load({ maxCustomers: 5 }) } : {}),
					...(r.chance(0.5) ? { targetLoad: load({ maxCustomers: 5 }) } : {}),
				};

				const decision = decide(state, command, actor, ctx);
				if (!decision.ok) continue;
				acceptedTotal++;
				accepted.set(command.type, (accepted.get(command.type) ?? 0) + 1);
				state = fold(log, state, decision.events);
				log = [...log, ...decision.events];
				expectConsistent(state, log.length);
			}
		}
		// The walks are seeded: these only guard against a change that makes them wander nowhere.
		expect(acceptedTotal).toBeGreaterThan(WALKS * 4);
		expect([...accepted.keys()].sort()).toEqual([...commandTypes].sort());
		for (const [type, n] of accepted) expect(n, `${type} accepted`).toBeGreaterThanOrEqual(10);
	});
});

// ================================================================== session numbers (§2)

describe('session numbers', () => {
	it('10,000 fresh numbers: 9 digits, no leading zero, not sequential, spread out', () => {
		const numbers = Array.from({ length: 10_000 }, () => generateSessionNumber());
		for (const n of numbers) expect(n).toMatch(/^[1-9]\d{8}$/);
		const values = numbers.map(Number);
		let successive = 0;
		for (let i = 1; i < values.length; i++) if (Math.abs(values[i]! - values[i - 1]!) <= 1) successive++;
		expect(successive).toBeLessThan(3);
		expect(new Set(numbers).size).toBeGreaterThan(9_990);
		expect(Math.min(...values)).toBeLessThan(200_000_000);
		expect(Math.max(...values)).toBeGreaterThan(900_000_000);
		const sorted = [...values].sort((a, b) => a - b);
		expect(values).not.toEqual(sorted);
	});

	it('covers exactly 100000000..999999999', () => {
		expect(generateSessionNumber(() => 0)).toBe('100000000');
		expect(generateSessionNumber((n) => n - 1)).toBe('999999999');
	});

	it.each([
		['123456789', '123456789'],
		['123 456 789', '123456789'],
		['123-456-789', '123456789'],
		['  123 456 789  ', '123456789'],
		['123–456–789', '123456789'],
		['123.456.789', '123456789'],
	])('parse accepts %j → %s', (typed, number) => {
		expect(parseSessionNumber(typed)).toBe(number);
	});

	it.each(['012345678', '012 345 678', '12345678', '1234567890', 'abc', '123 456 78x', '', '   '])('parse rejects %j', (typed) => {
		expect(parseSessionNumber(typed)).toBeNull();
	});

	it('format groups by three, and parse reads it back', () => {
		expect(formatSessionNumber('123456789')).toBe('123 456 789');
		for (let i = 0; i < 100; i++) {
			const n = generateSessionNumber();
			expect(formatSessionNumber(n)).toMatch(/^[1-9]\d{2} \d{3} \d{3}$/);
			expect(parseSessionNumber(formatSessionNumber(n))).toBe(n);
		}
	});

	it('format leaves what is not 9 digits alone', () => {
		expect(formatSessionNumber('12345')).toBe('12345');
	});
});

// ================================================================== file names (§9, §11)

describe('file names', () => {
	it.each([
		['report.pdf', null],
		['Izveštaj — mart.xlsx', null],
		['😀'.repeat(FILE_NAME_MAX), null],
		['😀'.repeat(FILE_NAME_MAX + 1), 'tooLong'],
		['x'.repeat(300), 'tooLong'],
		['', 'empty'],
		['../x', 'pathPart'],
		['a/b', 'pathPart'],
		['a\\b', 'pathPart'],
		['..', 'pathPart'],
		['a\u0000b', 'forbiddenCharacter'],
		['a\nb', 'forbiddenCharacter'],
		['invoice\u202Efdp.exe', 'forbiddenCharacter'],
		['\u2066a\u2069', 'forbiddenCharacter'],
		[' padded ', 'forbiddenCharacter'],
		['e\u0301.txt', 'forbiddenCharacter'],
	])('%j: %s', (name, problem) => {
		expect(fileNameProblem(name)).toBe(problem);
	});

	it.each([
		['C:\\Users\\ana\\report.pdf', 'report.pdf'],
		['../../etc/passwd', 'passwd'],
		['a\u0000b\u202E.txt', 'ab.txt'],
		['  spaced.txt  ', 'spaced.txt'],
		['e\u0301.txt', '\u00e9.txt'],
		['..', 'file'],
		['/', 'file'],
		['\u0000', 'file'],
	])('cleans %j to %j', (raw, clean) => {
		expect(cleanFileName(raw)).toBe(clean);
		expect(fileNameProblem(cleanFileName(raw))).toBeNull();
	});

	it('cuts a long name to the limit, keeping its extension; what it makes is always accepted', () => {
		const long = `${'ž'.repeat(400)}.pdf`;
		const clean = cleanFileName(long);
		expect([...clean].length).toBe(FILE_NAME_MAX);
		expect(clean.endsWith('.pdf')).toBe(true);
		const r = rng(7);
		const pieces = ['a', 'ž', '😀', '/', '\\', '.', ' ', '\u0000', '\u202E', '\u200D', 'e\u0301', '\n'];
		for (let i = 0; i < 2000; i++) {
			const raw = Array.from({ length: r.int(400) }, () => r.pick(pieces)).join('');
			expect(fileNameProblem(cleanFileName(raw)), JSON.stringify(raw)).toBeNull();
		}
	});
});

// ================================================================== who downloads a file (§9)

describe('file downloads', () => {
	const viewers: [string, Viewer][] = [
		['Ana (sender)', { kind: 'rep', repId: ANA.repId }],
		['Mira (recipient)', { kind: 'customer', participantId: C1 }],
		['Nikola (another customer)', { kind: 'customer', participantId: C2 }],
		['Bojan (assistant)', { kind: 'rep', repId: BOJAN.repId }],
		['Ceca (not in it)', { kind: 'rep', repId: CECA.repId }],
	];
	const at = (g: Given) => g.state()!.files.find((f) => f.id === 'f-1')!;
	it.each([
		['offered', at(FILE_ACCEPTED), []],
		['complete, not accepted', at(FILE_DONE), ['Ana (sender)']],
		['complete, accepted', at(FILE_DONE.fileAccepted('f-1', C1)), ['Ana (sender)', 'Mira (recipient)']],
		['cancelled', at(FILE_CANCELLED), []],
		['expired', at(FILE_EXPIRED.fileAccepted('f-1', C1)), []],
	] as const)('%s', (_label, file, who) => {
		expect(viewers.filter(([, v]) => mayDownload(file, v)).map(([n]) => n)).toEqual(who);
	});
});
