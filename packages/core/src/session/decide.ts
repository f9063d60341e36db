// The rules of a support session (SPEC §1, §2, §4, §5, §6): a command by an actor, against the
// session's state, is either refused with a reason or accepted as the events it causes.
// Pure: no clock, no database, no media; the service supplies `now` and the reps' loads.

import type {
	Activity,
	Actor,
	Command,
	Decision,
	DecideContext,
	Invitation,
	InvitationId,
	InvitedRole,
	Participant,
	ParticipantId,
	RefusalCode,
	RepLoad,
	SessionEvent,
	SessionState,
	StopReason,
} from './model.ts';
import { invitationsOf } from './evolve.ts';

const refuse = (code: RefusalCode): Decision => ({ ok: false, refusal: { code } });
const accept = (events: SessionEvent[]): Decision => ({ ok: true, events });

export function decide(state: SessionState | null, command: Command, actor: Actor, ctx: DecideContext): Decision {
	const at = ctx.now;

	if (command.type === 'start') {
		if (state) return refuse('sessionExists');
		if (actor.kind !== 'rep') return refuse('notARep');
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
	}

	if (!state) return refuse('sessionNotFound');
	if (state.status === 'ended') return refuse('sessionEnded');
	const me = participantOf(state, actor);

	switch (command.type) {
		case 'joinAsCustomer': {
			if (me) return refuse('alreadyInSession');
			if (actor.kind === 'rep' || actor.kind === 'system') return refuse('notACustomer');
			const badLink = command.invitationId ? invitationRefusal(state, command.invitationId, 'customer', at) : null;
			if (badLink) return refuse(badLink);
			const name = command.name.trim();
			if (!name) return refuse('nameRequired');
			if (state.controllerId && ctx.controllerLoad) {
				const load = ctx.controllerLoad;
				if (load.customersHelped + 1 > load.maxCustomers) return refuse('customerLimitReached');
			}
			return accept([
				{
					type: 'participant.joined',
					at,
					participant: { id: command.participantId, role: 'customer', name, joinedAt: at, voiceCapable: false },
					...(command.invitationId ? { invitationId: command.invitationId } : {}),
				},
			]);
		}

		case 'assist': {
			if (actor.kind !== 'rep') return refuse('notARep');
			if (me) return refuse('alreadyInSession');
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
		}

		case 'leave': {
			if (!me) return refuse('notInSession');
			if (me.role === 'controller') return refuse('controllerCannotLeave');
			return accept([
				...stopActivitiesOf(state, me.id, 'participantLeft', at),
				{ type: 'participant.left', at, participantId: me.id, reason: 'left' },
			]);
		}

		case 'startActivity': {
			if (!me) return refuse(actor.kind === 'anonymous' ? 'notSignedIn' : 'notInSession');
			const allowed = whoMayStart[command.activity];
			if (!allowed.includes(me.role)) {
				return refuse(me.role === 'assistant' ? 'assistantsCannotDoThat' : 'notController');
			}
			if (isOn(state, command.activity, me.id)) return refuse('activityAlreadyOn');
			return accept([{ type: 'activity.started', at, activity: command.activity, participantId: me.id }]);
		}

		case 'stopActivity': {
			if (!me) return refuse(actor.kind === 'anonymous' ? 'notSignedIn' : 'notInSession');
			const whose = command.participantId ?? me.id;
			if (whose !== me.id && me.role !== 'controller') return refuse('notController');
			const perParticipant = command.activity === 'sharing' || command.activity === 'video';
			// Recording, the voice call and file transfers are the session's, not one person's: stopping one
			// stops it for everyone, so only who may start it may stop it (SPEC §1: assistants have no files).
			if (!perParticipant && !whoMayStart[command.activity].includes(me.role)) {
				return refuse(me.role === 'assistant' ? 'assistantsCannotDoThat' : 'notController');
			}
			if (!isOn(state, command.activity, whose)) return refuse('activityNotOn');
			return accept([
				{
					type: 'activity.stopped',
					at,
					activity: command.activity,
					participantId: perParticipant ? whose : null,
					reason: 'stopped',
				},
			]);
		}

		case 'mediaEnded': {
			if (actor.kind !== 'system') return refuse('notController');
			if (!command.activity) return accept(stopEverything(state, 'mediaEnded', at));
			const whose = command.participantId ?? null;
			if (!isOn(state, command.activity, whose ?? '')) return accept([]);
			const perParticipant = command.activity === 'sharing' || command.activity === 'video';
			return accept([
				{ type: 'activity.stopped', at, activity: command.activity, participantId: perParticipant ? whose : null, reason: 'mediaEnded' },
			]);
		}

		case 'recordInvitationMail': {
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
		}

		case 'endForLostConsole': {
			if (actor.kind !== 'system') return refuse('notController');
			return accept([...stopEverything(state, 'sessionEnded', at), { type: 'session.ended', at, by: null, reason: command.reason }]);
		}

		default:
			break;
	}

	// Everything below is a control function: only the controlling rep may use it.
	if (!me) return refuse(actor.kind === 'anonymous' ? 'notSignedIn' : 'notInSession');
	if (state.status === 'waiting' || me.role !== 'controller') return refuse('notController');

	switch (command.type) {
		case 'focusCustomer': {
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
		}

		case 'transferControl': {
			const target = present(state, command.to);
			if (!target) return refuse('participantNotFound');
			if (target.role !== 'assistant') return refuse('notAnAssistant');
			const load = ctx.targetLoad;
			if (load) {
				if (load.mode === 'single' && load.controlledSessions >= 1) return refuse('targetSingleSessionBusy');
				if (load.controlledSessions >= load.maxSessions) return refuse('targetOverloaded');
				if (load.customersHelped + customersIn(state) > load.maxCustomers) return refuse('targetOverloaded');
			}
			// Every support activity ends on transfer; a voice call goes on only to a voice-capable console (SPEC §6).
			// What the receiving console supports now (its load, read at transfer), else what it declared on joining.
			const voice = ctx.targetLoad?.voiceCapable ?? target.voiceCapable;
			const events: SessionEvent[] = stopEverything(state, 'controlTransferred', at, { keepVoice: voice });
			events.push({ type: 'control.transferred', at, from: me.id, to: target.id, fromLeaves: command.leave });
			if (command.leave) events.push({ type: 'participant.left', at, participantId: me.id, reason: 'handedOver' });
			return accept(events);
		}

		case 'removeParticipant': {
			const target = present(state, command.participantId);
			if (!target) return refuse('participantNotFound');
			if (target.id === me.id) return refuse('cannotRemoveSelf');
			return accept([
				...stopActivitiesOf(state, target.id, 'participantLeft', at),
				{ type: 'participant.left', at, participantId: target.id, reason: 'removed' },
			]);
		}

		case 'createInvitation': {
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
		}

		case 'revokeInvitation': {
			const invitation = invitationIn(state, command.invitationId);
			if (!invitation) return refuse('invitationNotFound');
			if (invitation.revokedAt !== null) return refuse('invitationRevoked');
			if (at >= invitation.expiresAt) return refuse('invitationExpired');
			return accept([{ type: 'invitation.revoked', at, invitationId: invitation.id, by: me.id }]);
		}

		case 'end':
			return accept([...stopEverything(state, 'sessionEnded', at), { type: 'session.ended', at, by: me.id, reason: 'ended' }]);

		default:
			return refuse('notController');
	}
}

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
	fileTransfer: ['controller', 'customer'],
};

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
		case 'fileTransfer':
			return a.fileTransfers > 0;
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
	if (a.fileTransfers > 0) events.push({ type: 'activity.stopped', at, activity: 'fileTransfer', participantId: null, reason });
	if (a.voiceCall && !options.keepVoice) events.push({ type: 'activity.stopped', at, activity: 'voiceCall', participantId: null, reason });
	return events;
}
