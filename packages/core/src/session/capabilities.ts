// What a viewer may do in a session (the `can` of the views pages render), asked of `decide` itself with a
// probe of each command — never a second copy of a rule. Where the last word needs a load the view does
// not have (whether the rep control would go to is overloaded), the probe assumes no limit is reached:
// `can` says the command is possible for this viewer in this state, and `decide` with the real load has
// the last word when it is sent.

import { decide } from './decide.ts';
import { hasAccepted, mayDownload } from './fileAccess.ts';
import type { Actor, Command, FileRecord, Participant, RefusalCode, RepLoad, SessionState } from './model.ts';

/** Who looks at a session; a rep's `agent` says they hold the WebACD agent privilege (Transfer session). */
export type Viewer = { kind: 'rep'; repId: string; agent?: boolean } | { kind: 'customer'; participantId: string };

export interface SessionCapabilities {
	invite: boolean;
	end: boolean;
	leave: boolean;
	/** Focus some customer (see each participant's own `can`). */
	focus: boolean;
	removeParticipant: boolean;
	transferControl: boolean;
	/** Hand the session to WebACD, a queue or agents (SPEC §7: an agent in control). */
	transferSession: boolean;
	/** Share a screen (the controlling rep and customers; assistants watch). */
	share: boolean;
	/** Turn on a camera. */
	video: boolean;
	/** Start or end the voice call (a control function). */
	voiceCall: boolean;
	/** Start or stop recording (a control function). */
	record: boolean;
	/** Talk in the voice call that is on (assistants too). */
	talk: boolean;
	/** Send file: the controlling rep to customers, a customer to the controlling rep (SPEC §9). */
	sendFile: boolean;
	/** Point and draw over the screens being shared (the controlling rep, while someone shares). */
	annotate: boolean;
}

/** What the viewer may do with one file transfer. */
export interface FileCapabilities {
	/** Accept the offer (a recipient who has not yet). */
	accept: boolean;
	/** Cancel it: not yet complete, and the viewer controls the session or sends it. */
	cancel: boolean;
	/** Download its bytes now (complete; the sender, or a recipient who accepted). */
	download: boolean;
}

/** What the viewer may do to one participant. */
export interface ParticipantCapabilities {
	focus: boolean;
	remove: boolean;
	/** Hand control to them (Transfer control). */
	transferTo: boolean;
}

/** A rep's load as the probes assume it: no limit reached, the console supports voice. */
function unlimited(repId: string, agent = false): RepLoad {
	return {
		repId,
		name: '',
		roles: { rep: true, admin: false, agent },
		mode: 'multi',
		maxSessions: Number.POSITIVE_INFINITY,
		maxCustomers: Number.POSITIVE_INFINITY,
		controlledSessions: 0,
		customersHelped: 0,
		voiceCapable: true,
	};
}

const actorOf = (viewer: Viewer): Actor =>
	viewer.kind === 'rep'
		? { kind: 'rep', rep: unlimited(viewer.repId, viewer.agent ?? false) }
		: { kind: 'customer', participantId: viewer.participantId };

/** The probe context of a command: now, and the loads it needs, assumed within every limit. */
function probe(state: SessionState, command: Command, actor: Actor, now: number): boolean {
	const controller = state.participants.find((p) => p.id === state.controllerId)?.repId;
	const target = command.type === 'transferControl' ? state.participants.find((p) => p.id === command.to)?.repId : undefined;
	return decide(state, command, actor, {
		now,
		controllerLoad: controller ? unlimited(controller) : null,
		targetLoad: target ? unlimited(target) : null,
		// A transfer's target as the probe assumes it: a queue that is there.
		targetQueue: command.type === 'transferSession' && command.queueId ? { id: command.queueId, name: '' } : null,
		targetAgents: [],
		// A file as the probe offers it: one byte, within any limit.
		fileSizeLimit: Number.POSITIVE_INFINITY,
	}).ok;
}

export function capabilitiesOf(
	state: SessionState,
	viewer: Viewer,
): { can: SessionCapabilities; participants: Map<string, ParticipantCapabilities> } {
	const actor = actorOf(viewer);
	// None of the probed rules depends on the time (an invitation's expiry is asked when one is used).
	const now = state.startedAt;
	const may = (command: Command) => probe(state, command, actor, now);
	const startOrStop = (activity: 'voiceCall' | 'recording') =>
		may({ type: 'startActivity', activity }) || may({ type: 'stopActivity', activity });

	const participants = new Map<string, ParticipantCapabilities>(
		state.participants.map((p: Participant) => [
			p.id,
			{
				focus: may({ type: 'focusCustomer', participantId: p.id }),
				remove: may({ type: 'removeParticipant', participantId: p.id }),
				transferTo: may({ type: 'transferControl', to: p.id, leave: false }),
			},
		]),
	);
	const any = (key: keyof ParticipantCapabilities) => [...participants.values()].some((c) => c[key]);
	return {
		can: {
			invite: may({ type: 'createInvitation', invitationId: 'probe', role: 'customer', via: 'link', recipient: null, validForMs: 1 }),
			end: may({ type: 'end' }),
			leave: may({ type: 'leave' }),
			focus: any('focus'),
			removeParticipant: any('remove'),
			transferControl: any('transferTo'),
			transferSession: may({ type: 'transferSession', queueId: 'probe', agents: [], message: '' }),
			share: may({ type: 'sendMedia', source: 'screen' }),
			video: may({ type: 'sendMedia', source: 'camera' }),
			voiceCall: startOrStop('voiceCall'),
			record: startOrStop('recording'),
			talk: may({ type: 'sendMedia', source: 'microphone' }),
			sendFile: [null, 'everyCustomer' as const].some((to) =>
				may({ type: 'offerFile', fileId: 'probe', to, name: 'probe', size: 1, mediaType: 'application/octet-stream' }),
			),
			annotate: state.activities.sharing.some((share) => may({ type: 'point', share })),
		},
		participants,
	};
}

/** Why the viewer may not point at that shared screen now (null: they may) — the `point` rule; nothing is stored. */
export function pointRefusal(state: SessionState, viewer: Viewer, share: string): RefusalCode | null {
	const decision = decide(state, { type: 'point', share }, actorOf(viewer), { now: state.startedAt });
	return decision.ok ? null : decision.refusal.code;
}

/** What the viewer may do with one file, asked of the rules (accept, cancel) and of the file's access rule. */
export function fileCapabilitiesOf(state: SessionState, viewer: Viewer, file: FileRecord): FileCapabilities {
	const actor = actorOf(viewer);
	const may = (command: Command) => probe(state, command, actor, state.startedAt);
	return {
		// Accepting again is no error (nothing happens), but nothing to offer either.
		accept: may({ type: 'acceptFile', fileId: file.id }) && !hasAccepted(file, viewer),
		cancel: may({ type: 'cancelFile', fileId: file.id }),
		download: mayDownload(file, viewer),
	};
}
