// The rules of a support session (SPEC §1, §2, §4, §5, §6, §9): a command by an actor, against the
// session's state, is either refused with a reason or accepted as the events it causes.
// Pure: no clock, no database, no media; the runner supplies `now` and the loads each command declares
// (sessionCommands.ts). One handler per command, each receiving exactly the inputs its command needs.

import type {
	Activity,
	Actor,
	Command,
	CommandOf,
	CommandType,
	Decision,
	DecideContext,
	FileCancelReason,
	FileId,
	FileParty,
	FileRecord,
	Invitation,
	InvitationId,
	InvitedRole,
	MarkKind,
	MarkPoint,
	Participant,
	ParticipantId,
	RefusalCode,
	RepLoad,
	SessionEvent,
	SessionState,
	StopReason,
} from './model.ts';
import { filesOf, invitationsOf } from './evolve.ts';
import { fileNameProblem } from './fileNames.ts';
import { codePoints, SURVEY_COMMENT_MAX } from './textLimits.ts';
import { MARK_POINTS_MAX } from './model.ts';

const refuse = (code: RefusalCode): Decision => ({ ok: false, refusal: { code } });
const accept = (events: SessionEvent[]): Decision => ({ ok: true, events });

/** A command's rule: the session (null before it starts), the command, who asks, and what it needs. */
type Rule<K extends CommandType> = (state: SessionState | null, command: CommandOf<K>, actor: Actor, ctx: DecideContext<K>) => Decision;
/** A rule for a session that exists and is not over; `me` is the actor's participant in it, if any. */
type LiveRule<K extends CommandType> = (
	state: SessionState,
	command: CommandOf<K>,
	actor: Actor,
	ctx: DecideContext<K>,
	me: Participant | undefined,
) => Decision;

export function decide<K extends CommandType>(
	state: SessionState | null,
	command: CommandOf<K>,
	actor: Actor,
	ctx: DecideContext<K>,
): Decision;
export function decide(state: SessionState | null, command: Command, actor: Actor, ctx: DecideContext): Decision;
export function decide(state: SessionState | null, command: Command, actor: Actor, ctx: DecideContext): Decision {
	const rule = rules[command.type] as Rule<CommandType>;
	return rule(state, command, actor, ctx);
}

/** The rule runs only for a session that exists and is not over (most commands). */
function live<K extends CommandType>(rule: LiveRule<K>): Rule<K> {
	return (state, command, actor, ctx) => {
		if (!state) return refuse('sessionNotFound');
		if (state.status === 'ended') return refuse('sessionEnded');
		return rule(state, command, actor, ctx, participantOf(state, actor));
	};
}

/** A control function (SPEC §1): only the controlling rep may use it, and never while the session waits. */
function control<K extends CommandType>(
	rule: (state: SessionState, command: CommandOf<K>, me: Participant, ctx: DecideContext<K>) => Decision,
): Rule<K> {
	return live((state, command, actor, ctx, me) => {
		if (!me) return refuse(actor.kind === 'anonymous' ? 'notSignedIn' : 'notInSession');
		if (state.status === 'waiting' || me.role !== 'controller') return refuse('notController');
		return rule(state, command, me, ctx);
	});
}

/** An arrow is two points (from, to); a freehand line 2 to MARK_POINTS_MAX; every one on the surface (0–1). */
function isMark(kind: MarkKind, points: MarkPoint[]): boolean {
	if (kind === 'arrow' ? points.length !== 2 : points.length < 2 || points.length > MARK_POINTS_MAX) return false;
	return points.every((p) => p.length === 2 && p.every((c) => Number.isFinite(c) && c >= 0 && c <= 1));
}

const isRep = (actor: Actor): actor is Extract<Actor, { kind: 'rep' }> => actor.kind === 'rep' && actor.rep.roles.rep;

const rules: { [K in CommandType]: Rule<K> } = {
	start(state, command, actor, { now: at }) {
		if (state) return refuse('sessionExists');
		if (!isRep(actor)) return refuse('notARep');
		const busy = startRefusal(actor.rep);
		if (busy) return refuse(busy);
		return accept([
			{
				type: 'session.started',
				at,
				sessionId: command.sessionId,
				number: command.number,
				controller: {
					id: command.participantId,
					role: 'controller',
					repId: actor.rep.repId,
					name: actor.rep.name,
					joinedAt: at,
					voiceCapable: actor.rep.voiceCapable,
				},
			},
		]);
	},

	joinAsCustomer: live((state, command, actor, { now: at, controllerLoad }, me) => {
		if (me) return refuse('alreadyInSession');
		if (actor.kind === 'rep' || actor.kind === 'system') return refuse('notACustomer');
		const badLink = command.invitationId ? invitationRefusal(state, command.invitationId, 'customer', at) : null;
		if (badLink) return refuse(badLink);
		const name = command.name.trim();
		if (!name) return refuse('nameRequired');
		if (controllerLoad && controllerLoad.customersHelped + 1 > controllerLoad.maxCustomers) return refuse('customerLimitReached');
		return accept([
			{
				type: 'participant.joined',
				at,
				participant: { id: command.participantId, role: 'customer', name, joinedAt: at, voiceCapable: false },
				...(command.invitationId ? { invitationId: command.invitationId } : {}),
			},
		]);
	}),

	assist(state, command, actor, { now: at }) {
		// Who may assist is asked first: an account that gives no support learns nothing of the number.
		if (!isRep(actor)) return refuse('notARep');
		if (!state) return refuse('sessionNotFound');
		if (state.status === 'ended') return refuse('sessionEnded');
		if (participantOf(state, actor)) return refuse('alreadyInSession');
		const badLink = command.invitationId ? invitationRefusal(state, command.invitationId, 'rep', at) : null;
		if (badLink) return refuse(badLink);
		return accept([
			{
				type: 'participant.joined',
				at,
				participant: {
					id: command.participantId,
					role: 'assistant',
					repId: actor.rep.repId,
					name: actor.rep.name,
					joinedAt: at,
					voiceCapable: actor.rep.voiceCapable,
				},
				...(command.invitationId ? { invitationId: command.invitationId } : {}),
			},
		]);
	},

	leave: live((state, _command, _actor, { now: at }, me) => {
		if (!me) return refuse('notInSession');
		if (me.role === 'controller') return refuse('controllerCannotLeave');
		const left: SessionEvent[] = [
			...stopActivitiesOf(state, me.id, 'participantLeft', at),
			...cancelFilesOfLeaver(state, me.id, at),
			{ type: 'participant.left', at, participantId: me.id, reason: 'left' },
		];
		// The last customer leaves the line (SPEC §8): nobody is left to hand over, the session is over.
		const customersLeft = state.participants.filter((p) => p.role === 'customer' && p.id !== me.id).length;
		if (state.status === 'waiting' && me.role === 'customer' && customersLeft === 0) {
			left.push({ type: 'session.ended', at, by: me.id, reason: 'customerLeft' });
		}
		return accept(left);
	}),

	requestHelp(state, command, actor, { now: at, queue }) {
		if (state) return refuse('sessionExists');
		if (actor.kind === 'rep' || actor.kind === 'system') return refuse('notACustomer');
		if (!queue || !queue.openToCustomers) return refuse('queueNotFound');
		const name = command.name.trim();
		if (!name) return refuse('nameRequired');
		return accept([
			{
				type: 'session.requested',
				at,
				sessionId: command.sessionId,
				number: command.number,
				customer: { id: command.participantId, role: 'customer', name, joinedAt: at, voiceCapable: false },
				handover: {
					origin: 'getHelp',
					queueId: queue.id,
					agents: null,
					round: 1,
					ahead: false,
					since: at,
					firstSince: at,
					message: null,
					problem: command.problem.trim() || null,
					email: command.email,
					fromName: null,
					offers: [],
					passedBy: [],
					fellBack: false,
				},
			},
		]);
	},

	offerSession: live((state, command, actor, { now: at }) => {
		if (actor.kind !== 'system') return refuse('notController');
		const h = state.handover;
		if (state.status !== 'waiting' || !h) return accept([]);
		// One offer per agent at a time, and none to who declined or let it expire (routing may race itself).
		const fresh = command.offers.filter(
			(o, i, all) =>
				!h.offers.some((x) => x.repId === o.repId) && !h.passedBy.includes(o.repId) && all.findIndex((y) => y.repId === o.repId) === i,
		);
		if (fresh.length === 0) return accept([]);
		return accept([
			{ type: 'offer.made', at, offers: fresh.map((o) => ({ id: o.offerId, repId: o.repId, madeAt: at, expiresAt: o.expiresAt })) },
		]);
	}),

	acceptOffer(state, command, actor, { now: at, agentLoad }) {
		if (actor.kind !== 'rep') return refuse(actor.kind === 'anonymous' ? 'notSignedIn' : 'notARep');
		if (!actor.rep.roles.agent) return refuse('notAnAgent');
		if (!state) return refuse('sessionNotFound');
		if (state.status === 'ended') return refuse('sessionEnded');
		const offer = state.handover?.offers.find((o) => o.id === command.offerId);
		// Taken by another agent, withdrawn, or its time is up: it is no longer there to accept.
		if (!offer || at >= offer.expiresAt) return refuse('offerNotFound');
		if (offer.repId !== actor.rep.repId) return refuse('notYourOffer');
		if (!agentLoad || agentLoad.controlledSessions >= agentLoad.capacity) return refuse('agentAtCapacity');
		if (participantOf(state, actor) || present(state, command.participantId)) return refuse('alreadyInSession');
		return accept([
			{
				type: 'session.accepted',
				at,
				offerId: offer.id,
				controller: {
					id: command.participantId,
					role: 'controller',
					repId: actor.rep.repId,
					name: actor.rep.name,
					joinedAt: at,
					voiceCapable: actor.rep.voiceCapable,
				},
			},
		]);
	},

	declineOffer(state, command, actor, { now: at }) {
		if (actor.kind !== 'rep') return refuse(actor.kind === 'anonymous' ? 'notSignedIn' : 'notARep');
		if (!state) return refuse('sessionNotFound');
		const offer = state.handover?.offers.find((o) => o.id === command.offerId);
		if (!offer) return refuse('offerNotFound');
		if (offer.repId !== actor.rep.repId) return refuse('notYourOffer');
		return accept([{ type: 'offer.declined', at, offerId: offer.id, repId: offer.repId }]);
	},

	// Transfer session (SPEC §7): only an agent in control; exactly one queue or at least one agent, each an
	// agent who is not away. Every activity ends and a voice call too; the rep leaves; customers and
	// assistants stay; it waits — transferred sessions ahead of new requests — until an agent accepts.
	transferSession: live((state, command, actor, { now: at, targetQueue, targetAgents }, me) => {
		if (!me) return refuse(actor.kind === 'anonymous' ? 'notSignedIn' : 'notInSession');
		if (state.status === 'waiting' || me.role !== 'controller') return refuse('notController');
		if (actor.kind !== 'rep' || !actor.rep.roles.agent) return refuse('notAnAgent');
		if (command.queueId && command.agents.length > 0) return refuse('transferTargetRequired');
		if (!command.queueId && command.agents.length === 0) return refuse('transferTargetRequired');
		if (command.queueId && !targetQueue) return refuse('queueNotFound');
		for (const repId of command.agents) {
			const target = targetAgents.find((a) => a.repId === repId);
			if (!target || !target.isAgent) return refuse('notAnAgent');
			if (target.state === 'away' || repId === me.repId) return refuse('agentUnavailable');
		}
		return accept([
			...stopEverything(state, 'sessionTransferred', at),
			...cancelFilesInFlight(state, 'sessionTransferred', at),
			{
				type: 'session.handedOver',
				at,
				handover: {
					origin: 'transfer',
					queueId: command.queueId,
					agents: command.queueId ? null : [...new Set(command.agents)],
					round: 1,
					ahead: true,
					since: at,
					firstSince: at,
					message: command.message.trim() || null,
					problem: state.handover?.problem ?? null,
					email: null,
					fromName: me.name,
					offers: [],
					passedBy: [],
					fellBack: false,
				},
			},
			{ type: 'participant.left', at, participantId: me.id, reason: 'handedOver' },
		]);
	}),

	nextRound: live((state, command, actor, { now: at }) => {
		if (actor.kind !== 'system') return refuse('notController');
		const h = state.handover;
		if (state.status !== 'waiting' || !h) return accept([]);
		const moving = command.queueId !== h.queueId;
		return accept([
			{ type: 'handover.moved', at, queueId: command.queueId, round: moving ? 1 : h.round + 1, ahead: moving ? true : h.ahead },
		]);
	}),

	expireOffer(state, command, actor, { now: at }) {
		if (actor.kind !== 'system') return refuse('notController');
		const offer = state?.handover?.offers.find((o) => o.id === command.offerId);
		// Accepted, declined or withdrawn before its time: nothing to expire.
		if (!offer) return accept([]);
		return accept([{ type: 'offer.expired', at, offerId: offer.id, repId: offer.repId }]);
	},

	startActivity: live((state, command, actor, { now: at }, me) => {
		if (!me) return refuse(actor.kind === 'anonymous' ? 'notSignedIn' : 'notInSession');
		const allowed = whoMayStart[command.activity];
		if (!allowed.includes(me.role)) return refuse(me.role === 'assistant' ? 'assistantsCannotDoThat' : 'notController');
		// While a session waits for an agent nothing starts (SPEC §7): the customer sees that they are being transferred.
		if (state.status === 'waiting') return refuse('sessionWaiting');
		if (isOn(state, command.activity, me.id)) return refuse('activityAlreadyOn');
		return accept([{ type: 'activity.started', at, activity: command.activity, participantId: me.id }]);
	}),

	sendMedia: live((state, command, actor, { now: at }, me) => {
		if (!me) return refuse(actor.kind === 'anonymous' ? 'notSignedIn' : 'notInSession');
		// A microphone belongs to the voice call: anyone present talks while it is on (assistants too).
		if (command.source === 'microphone') return state.activities.voiceCall ? accept([]) : refuse('activityNotOn');
		const activity: Activity = command.source === 'screen' ? 'sharing' : 'video';
		if (!whoMayStart[activity].includes(me.role)) return refuse(me.role === 'assistant' ? 'assistantsCannotDoThat' : 'notController');
		if (state.status === 'waiting') return refuse('sessionWaiting');
		// A new share of what is already mine replaces it (a restart, or a leftover after a dropped connection).
		if (isOn(state, activity, me.id)) return accept([]);
		return accept([{ type: 'activity.started', at, activity, participantId: me.id }]);
	}),

	stopActivity: live((state, command, actor, { now: at }, me) => {
		if (!me) return refuse(actor.kind === 'anonymous' ? 'notSignedIn' : 'notInSession');
		const whose = command.participantId ?? me.id;
		if (whose !== me.id && me.role !== 'controller') return refuse('notController');
		const perParticipant = command.activity === 'sharing' || command.activity === 'video';
		// Recording and the voice call are the session's, not one person's: stopping one stops it for
		// everyone, so only who may start it may stop it.
		if (!perParticipant && !whoMayStart[command.activity].includes(me.role)) {
			return refuse(me.role === 'assistant' ? 'assistantsCannotDoThat' : 'notController');
		}
		if (!isOn(state, command.activity, whose)) return refuse('activityNotOn');
		return accept([
			{ type: 'activity.stopped', at, activity: command.activity, participantId: perParticipant ? whose : null, reason: 'stopped' },
		]);
	}),

	mediaEnded: live((state, command, actor, { now: at }) => {
		if (actor.kind !== 'system') return refuse('notController');
		if (!command.activity) return accept(stopEverything(state, 'mediaEnded', at));
		const whose = command.participantId ?? null;
		if (!isOn(state, command.activity, whose ?? '')) return accept([]);
		const perParticipant = command.activity === 'sharing' || command.activity === 'video';
		return accept([
			{ type: 'activity.stopped', at, activity: command.activity, participantId: perParticipant ? whose : null, reason: 'mediaEnded' },
		]);
	}),

	reportMediaLost: live((state, command, actor, { now: at }, me) => {
		if (!me) return refuse(actor.kind === 'anonymous' ? 'notSignedIn' : 'notInSession');
		const lost: SessionEvent = { type: 'media.failed', at, action: command.direction, reason: 'connectionLost', participantId: me.id };
		if (command.direction === 'receive') return accept([lost]);
		// What went out on that connection reaches nobody now: it is stopped, and the page may start it again.
		const stops = (['sharing', 'video'] as const)
			.filter((activity) => isOn(state, activity, me.id))
			.map((activity): SessionEvent => ({ type: 'activity.stopped', at, activity, participantId: me.id, reason: 'mediaEnded' }));
		return accept([lost, ...stops]);
	}),

	recordMediaFailure(state, command, actor, { now: at }) {
		// The record of what the media plane could not do is kept even after the session's end.
		if (actor.kind !== 'system') return refuse('notController');
		if (!state) return refuse('sessionNotFound');
		const failed: SessionEvent = {
			type: 'media.failed',
			at,
			action: command.action,
			reason: command.reason,
			...(command.participantId ? { participantId: command.participantId } : {}),
		};
		// A recording that did not start is not on.
		if (command.action === 'startRecording' && state.activities.recording) {
			return accept([failed, { type: 'activity.stopped', at, activity: 'recording', participantId: null, reason: 'mediaEnded' }]);
		}
		return accept([failed]);
	},

	recordInvitationMail: live((state, command, actor, { now: at }) => {
		// What became of Tandem's e-mail is reported by the system after the rep's Send (SPEC §3).
		if (actor.kind !== 'system') return refuse('notController');
		const invitation = invitationIn(state, command.invitationId);
		if (!invitation) return refuse('invitationNotFound');
		if (invitation.via !== 'email' || invitation.sentAt !== null || invitation.sendError !== null) return accept([]);
		return accept([
			command.error === null
				? { type: 'invitation.sent', at, invitationId: invitation.id }
				: { type: 'invitation.notSent', at, invitationId: invitation.id, error: command.error },
		]);
	}),

	endForLostConsole: live((state, command, actor, { now: at }) => {
		if (actor.kind !== 'system') return refuse('notController');
		return accept([
			...stopEverything(state, 'sessionEnded', at),
			...cancelFilesInFlight(state, 'sessionEnded', at),
			{ type: 'session.ended', at, by: null, reason: command.reason },
		]);
	}),

	// Chat (SPEC §9): everyone present writes — customers, the controller, assistants — also while the
	// session waits for an agent (who stayed keep talking). Text only; the page's id makes a retry harmless.
	postChat: live((state, command, actor, { now: at }, me) => {
		if (!me) return refuse(actor.kind === 'anonymous' ? 'notSignedIn' : 'notInSession');
		if (!command.text.trim()) return refuse('messageEmpty');
		if ((state.recentChatIds ?? []).includes(command.messageId)) return accept([]);
		return accept([{ type: 'chat.posted', at, messageId: command.messageId, participantId: me.id, name: me.name, text: command.text }]);
	}),

	requestTranscript(state, command, actor, { now: at }) {
		if (actor.kind !== 'customer') return refuse(actor.kind === 'anonymous' ? 'notSignedIn' : 'notACustomer');
		if (!state) return refuse('sessionNotFound');
		const me = participantOf(state, actor);
		if (!me) return refuse('notInSession');
		if (state.status !== 'ended') return refuse('sessionNotEnded');
		// One mail per customer per session; one that did not go out may be asked again.
		const mail = state.transcriptMails?.[me.id];
		if (mail && mail.status !== 'notSent') return refuse('transcriptAlreadySent');
		return accept([{ type: 'transcript.requested', at, participantId: me.id, to: command.to, language: command.language }]);
	},

	recordTranscriptMail(state, command, actor, { now: at }) {
		if (actor.kind !== 'system') return refuse('notController');
		if (!state) return refuse('sessionNotFound');
		if (state.transcriptMails?.[command.participantId]?.status !== 'requested') return accept([]);
		const { participantId, error } = command;
		return accept([
			error === null ? { type: 'transcript.sent', at, participantId } : { type: 'transcript.notSent', at, participantId, error },
		]);
	},

	answerSurvey(state, command, actor, { now: at }) {
		if (actor.kind !== 'customer') return refuse(actor.kind === 'anonymous' ? 'notSignedIn' : 'notACustomer');
		if (!state) return refuse('sessionNotFound');
		const me = participantOf(state, actor);
		if (!me) return refuse('notInSession');
		if (state.status !== 'ended') return refuse('sessionNotEnded');
		if (state.surveys?.[me.id] !== undefined) return refuse('surveyAlreadyAnswered');
		const { rating } = command;
		if (!Number.isInteger(rating) || rating < 1 || rating > 5) return refuse('invalidRating');
		const comment = command.comment.trim();
		if (codePoints(comment) > SURVEY_COMMENT_MAX) return refuse('commentTooLong');
		return accept([{ type: 'survey.answered', at, participantId: me.id, rating, comment }]);
	},

	// Remote pointer and annotation (SPEC §9): the controlling rep, over a screen someone is sharing now.
	drawMark: control((state, command, me, { now: at }) => {
		if (!state.activities.sharing.includes(command.share)) return refuse('notShared');
		if (!isMark(command.kind, command.points)) return refuse('invalidMark');
		const { markId: id, share, kind, points } = command;
		return accept([{ type: 'mark.drawn', at, mark: { id, share, kind, points, by: me.id } }]);
	}),

	clearMarks: control((state, command, me, { now: at }) => {
		if (command.share !== null && !state.activities.sharing.includes(command.share)) return refuse('notShared');
		if (!(state.marks ?? []).some((m) => command.share === null || m.share === command.share)) return accept([]);
		return accept([{ type: 'marks.cleared', at, share: command.share, by: me.id }]);
	}),

	point: control((state, command) => (state.activities.sharing.includes(command.share) ? accept([]) : refuse('notShared'))),

	focusCustomer: control((state, command, _me, { now: at }) => {
		const target = present(state, command.participantId);
		if (!target) return refuse('participantNotFound');
		if (target.role !== 'customer') return refuse('notACustomer');
		if (state.focusedCustomerId === target.id) return accept([]);
		// Switching focus ends all current sharing automatically (SPEC §5).
		return accept([
			...state.activities.sharing.map((id): SessionEvent => ({
				type: 'activity.stopped',
				at,
				activity: 'sharing',
				participantId: id,
				reason: 'focusChanged',
			})),
			{ type: 'customer.focused', at, participantId: target.id },
		]);
	}),

	transferControl: control((state, command, me, { now: at, targetLoad }) => {
		const target = present(state, command.to);
		if (!target) return refuse('participantNotFound');
		if (target.role !== 'assistant') return refuse('notAnAssistant');
		if (!targetLoad) return refuse('notAnAssistant');
		if (targetLoad.mode === 'single' && targetLoad.controlledSessions >= 1) return refuse('targetSingleSessionBusy');
		if (targetLoad.controlledSessions >= targetLoad.maxSessions) return refuse('targetOverloaded');
		if (targetLoad.customersHelped + customersIn(state) > targetLoad.maxCustomers) return refuse('targetOverloaded');
		// Every support activity ends on transfer; a voice call goes on only to a voice-capable console (SPEC §6):
		// what the receiving console supports now (its load, read at transfer).
		const events: SessionEvent[] = stopEverything(state, 'controlTransferred', at, { keepVoice: targetLoad.voiceCapable });
		// File transfers in flight end too, their partial data removed; complete files stay offered (SPEC §6, §9).
		events.push(...cancelFilesInFlight(state, 'controlTransferred', at));
		events.push({ type: 'control.transferred', at, from: me.id, to: target.id, fromLeaves: command.leave });
		if (command.leave) events.push({ type: 'participant.left', at, participantId: me.id, reason: 'handedOver' });
		return accept(events);
	}),

	removeParticipant: control((state, command, me, { now: at }) => {
		const target = present(state, command.participantId);
		if (!target) return refuse('participantNotFound');
		if (target.id === me.id) return refuse('cannotRemoveSelf');
		return accept([
			...stopActivitiesOf(state, target.id, 'participantLeft', at),
			...cancelFilesOfLeaver(state, target.id, at),
			{ type: 'participant.left', at, participantId: target.id, reason: 'removed' },
		]);
	}),

	createInvitation: control((_state, command, me, { now: at }) => {
		// Inviting is a control function (SPEC §1, §3); an e-mail invitation needs its recipient.
		if (command.via === 'email' && !command.recipient) return refuse('invalidEmail');
		return accept([
			{
				type: 'invitation.created',
				at,
				invitation: {
					id: command.invitationId,
					role: command.role,
					via: command.via,
					recipient: command.recipient,
					createdBy: me.id,
					expiresAt: at + command.validForMs,
				},
			},
		]);
	}),

	revokeInvitation: control((state, command, me, { now: at }) => {
		const invitation = invitationIn(state, command.invitationId);
		if (!invitation) return refuse('invitationNotFound');
		if (invitation.revokedAt !== null) return refuse('invitationRevoked');
		if (at >= invitation.expiresAt) return refuse('invitationExpired');
		return accept([{ type: 'invitation.revoked', at, invitationId: invitation.id, by: me.id }]);
	}),

	end: control((state, _command, me, { now: at }) =>
		accept([
			...stopEverything(state, 'sessionEnded', at),
			...cancelFilesInFlight(state, 'sessionEnded', at),
			{ type: 'session.ended', at, by: me.id, reason: 'ended' },
		]),
	),

	// ------------------------------------------------------------ file transfer (SPEC §9)
	// Between the controlling rep and customers, both ways; assistants watch. Managing file transfer is a
	// control function (SPEC §1): only the controller sends to customers, and may cancel any transfer.

	offerFile: live((state, command, actor, { now: at, fileSizeLimit }, me) => {
		if (!me) return refuse(actor.kind === 'anonymous' ? 'notSignedIn' : 'notInSession');
		if (me.role === 'assistant') return refuse('assistantsCannotDoThat');
		// While a session waits for an agent nobody controls it: no file goes anywhere (SPEC §7).
		if (state.status === 'waiting') return refuse('sessionWaiting');
		// The same offer again (a retried request): it is there already.
		if (fileIn(state, command.fileId)) return accept([]);
		if (fileNameProblem(command.name)) return refuse('invalidFileName');
		if (!Number.isSafeInteger(command.size) || command.size <= 0) return refuse('fileEmpty');
		if (command.size > fileSizeLimit) return refuse('fileTooLarge');
		const recipients = recipientsOf(state, me, command.to);
		if (typeof recipients === 'string') return refuse(recipients);
		return accept([
			{
				type: 'file.offered',
				at,
				file: {
					id: command.fileId,
					sender: partyOf(me),
					recipients: recipients.map(partyOf),
					name: command.name,
					size: command.size,
					mediaType: command.mediaType,
				},
			},
		]);
	}),

	acceptFile: live((state, command, actor, { now: at }, me) => {
		if (!me) return refuse(actor.kind === 'anonymous' ? 'notSignedIn' : 'notInSession');
		const file = fileIn(state, command.fileId);
		if (!file) return refuse('fileNotFound');
		if (!file.recipients.some((r) => r.participantId === me.id)) return refuse('notFileRecipient');
		const ended = fileEndRefusal(file);
		if (ended) return refuse(ended);
		if (file.acceptedBy.includes(me.id)) return accept([]);
		return accept([{ type: 'file.accepted', at, fileId: file.id, participantId: me.id }]);
	}),

	uploadFile: live((state, command, actor, { now: at, fileSizeLimit }, me) => {
		if (!me) return refuse(actor.kind === 'anonymous' ? 'notSignedIn' : 'notInSession');
		const file = fileIn(state, command.fileId);
		if (!file) return refuse('fileNotFound');
		if (file.sender.participantId !== me.id) return refuse(me.role === 'assistant' ? 'assistantsCannotDoThat' : 'notFileSender');
		if (state.status === 'waiting') return refuse('sessionWaiting');
		const ended = fileEndRefusal(file);
		if (ended) return refuse(ended);
		// Going on with an upload (or asking where it is, or finding it complete) changes nothing.
		if (command.length === null) return accept([]);
		if (file.status === 'complete') return refuse('fileAlreadyComplete');
		// The limit first: a length past it is refused as too large, whatever was offered.
		if (command.length > fileSizeLimit) return refuse('fileTooLarge');
		if (command.length !== file.size) return refuse('fileSizeMismatch');
		// Created again (the page lost its upload's address): it starts over, nothing to record.
		if (file.status === 'uploading') return accept([]);
		return accept([{ type: 'file.uploadStarted', at, fileId: file.id }]);
	}),

	fileUploaded: live((state, command, actor, { now: at }) => {
		if (actor.kind !== 'system') return refuse('notController');
		const file = fileIn(state, command.fileId);
		if (!file) return refuse('fileNotFound');
		if (file.status === 'complete') return accept([]);
		const ended = fileEndRefusal(file);
		if (ended) return refuse(ended);
		if (command.size !== file.size) return refuse('fileSizeMismatch');
		return accept([{ type: 'file.uploaded', at, fileId: file.id, size: command.size, sha256: command.sha256 }]);
	}),

	cancelFile: live((state, command, actor, { now: at }, me) => {
		if (!me) return refuse(actor.kind === 'anonymous' ? 'notSignedIn' : 'notInSession');
		const file = fileIn(state, command.fileId);
		if (!file) return refuse('fileNotFound');
		const controls = state.status === 'live' && me.role === 'controller';
		if (!controls && file.sender.participantId !== me.id)
			return refuse(me.role === 'assistant' ? 'assistantsCannotDoThat' : 'notFileSender');
		const ended = fileEndRefusal(file);
		if (ended) return refuse(ended);
		if (file.status === 'complete') return refuse('fileAlreadyComplete');
		return accept([{ type: 'file.cancelled', at, fileId: file.id, reason: 'cancelled', by: me.id }]);
	}),

	expireFile(state, command, actor, { now: at }) {
		// Retention runs on after the session's end.
		if (actor.kind !== 'system') return refuse('notController');
		if (!state) return refuse('sessionNotFound');
		const file = fileIn(state, command.fileId);
		if (!file) return refuse('fileNotFound');
		// Cancelled (its data went then) or expired already: nothing to do.
		if (file.status !== 'complete') return accept([]);
		return accept([{ type: 'file.expired', at, fileId: file.id }]);
	},
};

/** Why an invitation link may not be used to join as `role` now, if it may not (SPEC §3). */
export function invitationRefusal(state: SessionState, invitationId: InvitationId, role: InvitedRole, now: number): RefusalCode | null {
	const invitation = invitationIn(state, invitationId);
	if (!invitation) return 'invitationNotFound';
	if (invitation.role !== role) return 'invitationWrongRole';
	if (invitation.revokedAt !== null) return 'invitationRevoked';
	if (now >= invitation.expiresAt) return 'invitationExpired';
	return null;
}

const invitationIn = (state: SessionState, id: InvitationId): Invitation | undefined => invitationsOf(state).find((i) => i.id === id);

/** Why a rep may not start (or take control of) one more session, if they may not. */
export function startRefusal(rep: RepLoad): RefusalCode | null {
	if (rep.mode === 'single' && rep.controlledSessions >= 1) return 'singleSessionBusy';
	if (rep.controlledSessions >= rep.maxSessions) return 'maxSessionsReached';
	return null;
}

const whoMayStart: Record<Activity, Participant['role'][]> = {
	sharing: ['controller', 'customer'],
	video: ['controller', 'customer'],
	recording: ['controller'],
	voiceCall: ['controller'],
};

export const fileIn = (state: SessionState, id: FileId): FileRecord | undefined => filesOf(state).find((f) => f.id === id);

/** A transfer not yet complete (offered or uploading): what a transfer of control or an end cancels. */
export const inFlight = (file: FileRecord): boolean => file.status === 'offered' || file.status === 'uploading';

/** Why nothing more can happen to a file: it was cancelled, or its retention period is over. */
function fileEndRefusal(file: FileRecord): RefusalCode | null {
	if (file.status === 'cancelled') return 'fileCancelled';
	if (file.status === 'expired') return 'fileExpired';
	return null;
}

const partyOf = (p: Participant): FileParty => ({ participantId: p.id, name: p.name, ...(p.repId ? { repId: p.repId } : {}) });

/**
 * Whom a file goes to (SPEC §9): the controller picks one customer (by default the one in focus) or every
 * customer; a customer's file goes to the controlling rep, and to nobody else.
 */
function recipientsOf(state: SessionState, me: Participant, to: ParticipantId | 'everyCustomer' | null): Participant[] | RefusalCode {
	if (me.role === 'customer') {
		const controller = state.participants.find((p) => p.id === state.controllerId);
		if (!controller || (to !== null && to !== controller.id)) return 'noRecipient';
		return [controller];
	}
	if (to === 'everyCustomer') {
		const customers = state.participants.filter((p) => p.role === 'customer');
		return customers.length > 0 ? customers : 'noRecipient';
	}
	const target = present(state, to ?? state.focusedCustomerId ?? '');
	if (!target) return to === null ? 'noRecipient' : 'participantNotFound';
	if (target.role !== 'customer') return 'notACustomer';
	return [target];
}

/** Every transfer in flight ends (a transfer of control or of the session, the end); complete files stay. */
function cancelFilesInFlight(state: SessionState, reason: FileCancelReason, at: number): SessionEvent[] {
	return filesOf(state)
		.filter(inFlight)
		.map((f): SessionEvent => ({ type: 'file.cancelled', at, fileId: f.id, reason, by: null }));
}

/** A participant leaves: the transfers in flight they send, and those nobody would be left to receive, end. */
function cancelFilesOfLeaver(state: SessionState, id: ParticipantId, at: number): SessionEvent[] {
	const stays = (pid: ParticipantId) => pid !== id && !!present(state, pid);
	return filesOf(state)
		.filter((f) => inFlight(f) && (f.sender.participantId === id || !f.recipients.some((r) => stays(r.participantId))))
		.map((f): SessionEvent => ({ type: 'file.cancelled', at, fileId: f.id, reason: 'participantLeft', by: null }));
}

export function participantOf(state: SessionState, actor: Actor): Participant | undefined {
	switch (actor.kind) {
		case 'rep':
			return state.participants.find((p) => p.repId === actor.rep.repId);
		case 'customer':
			return actor.participantId ? present(state, actor.participantId) : undefined;
		default:
			return undefined;
	}
}

function present(state: SessionState, id: ParticipantId): Participant | undefined {
	return state.participants.find((p) => p.id === id);
}

export function customersIn(state: SessionState): number {
	return state.participants.filter((p) => p.role === 'customer').length;
}

function isOn(state: SessionState, activity: Activity, participantId: ParticipantId): boolean {
	const a = state.activities;
	switch (activity) {
		case 'sharing':
			return a.sharing.includes(participantId);
		case 'video':
			return a.video.includes(participantId);
		case 'recording':
			return a.recording;
		case 'voiceCall':
			return a.voiceCall;
	}
}

function stopActivitiesOf(state: SessionState, id: ParticipantId, reason: StopReason, at: number): SessionEvent[] {
	const events: SessionEvent[] = [];
	if (state.activities.sharing.includes(id)) events.push({ type: 'activity.stopped', at, activity: 'sharing', participantId: id, reason });
	if (state.activities.video.includes(id)) events.push({ type: 'activity.stopped', at, activity: 'video', participantId: id, reason });
	return events;
}

function stopEverything(state: SessionState, reason: StopReason, at: number, options: { keepVoice?: boolean } = {}): SessionEvent[] {
	const a = state.activities;
	const events: SessionEvent[] = [];
	for (const id of a.sharing) events.push({ type: 'activity.stopped', at, activity: 'sharing', participantId: id, reason });
	for (const id of a.video) events.push({ type: 'activity.stopped', at, activity: 'video', participantId: id, reason });
	if (a.recording) events.push({ type: 'activity.stopped', at, activity: 'recording', participantId: null, reason });
	if (a.voiceCall && !options.keepVoice) events.push({ type: 'activity.stopped', at, activity: 'voiceCall', participantId: null, reason });
	return events;
}
