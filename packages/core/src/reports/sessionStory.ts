// What happened in a session, told from its events for its report (SPEC §10): who was there and when, in
// which roles, and the chain of control — who started it, each transfer of control (and-leave), each hand-over
// to WebACD with its queue waits, offers declined or expired, the agent who took it, and the end. Pure: the
// service gives it the session's events and the names of queues and reps.

import type { EndReason, LeaveReason, ParticipantRole, SessionEvent } from '../session/model.ts';

export interface ReportParticipant {
	id: string;
	name: string;
	/** A rep's id; null for a customer. */
	repId: string | null;
	/** Every role they held, in order (an assistant given control: assistant, controller). */
	roles: ParticipantRole[];
	joinedAt: number;
	leftAt: number | null;
	/** Why they left: as the log says, or `sessionEnded` for those still there at the end. */
	leftBecause: LeaveReason | 'sessionEnded' | null;
}

export type ControlStepKind =
	| 'started'
	| 'requested'
	| 'transferred'
	| 'transferredAndLeft'
	| 'handedOver'
	| 'moved'
	| 'offered'
	| 'declined'
	| 'expired'
	| 'accepted'
	| 'ended';

export interface ControlStep {
	at: number;
	kind: ControlStepKind;
	/** Who did it (the rep transferring, the customer asking, the rep ending); null for the system. */
	by: string | null;
	/** To whom (the new controller, the agent offered or accepting). */
	to: string | null;
	/** The queue it went to or came from; null while it was offered to chosen agents. */
	queue: string | null;
	/** Accepted: how long it had waited since it was first handed over or asked for. */
	waitedMs: number | null;
	/** Ended: why (the rep ended it, the console closed, the connection was lost, the customer left). */
	reason: EndReason | null;
}

export interface QueueWait {
	/** null: offered to agents the rep chose. */
	queue: string | null;
	from: number;
	to: number | null;
	outcome: 'accepted' | 'moved' | 'ended' | 'waiting';
	/** The agent who accepted. */
	agent: string | null;
}

export interface SessionStory {
	participants: ReportParticipant[];
	control: ControlStep[];
	queueWaits: QueueWait[];
	endedBy: string | null;
	endReason: EndReason | null;
}

export function sessionStory(
	events: readonly SessionEvent[],
	names: { queue: (id: string | null) => string | null; rep: (id: string) => string },
): SessionStory {
	const people = new Map<string, ReportParticipant>();
	const control: ControlStep[] = [];
	const queueWaits: QueueWait[] = [];
	let endedBy: string | null = null;
	let endReason: EndReason | null = null;
	let controller: string | null = null;
	const nameOf = (id: string | null | undefined) => (id ? (people.get(id)?.name ?? null) : null);
	const step = (s: Partial<ControlStep> & Pick<ControlStep, 'at' | 'kind'>) =>
		control.push({ by: null, to: null, queue: null, waitedMs: null, reason: null, ...s });
	const join = (p: { id: string; name: string; role: ParticipantRole; repId?: string }, at: number) => {
		people.set(p.id, { id: p.id, name: p.name, repId: p.repId ?? null, roles: [p.role], joinedAt: at, leftAt: null, leftBecause: null });
		if (p.role === 'controller') controller = p.id;
	};
	const becomes = (id: string, role: ParticipantRole) => {
		const p = people.get(id);
		if (p && p.roles.at(-1) !== role) p.roles.push(role);
	};
	const wait = (queueId: string | null, at: number) =>
		queueWaits.push({ queue: names.queue(queueId), from: at, to: null, outcome: 'waiting', agent: null });
	const stopWaiting = (at: number, outcome: QueueWait['outcome'], agent: string | null = null) => {
		const open = queueWaits.at(-1);
		if (open && open.outcome === 'waiting') Object.assign(open, { to: at, outcome, agent });
	};
	let firstWaitedAt: number | null = null;

	for (const e of events) {
		switch (e.type) {
			case 'session.started':
				join(e.controller, e.at);
				step({ at: e.at, kind: 'started', by: e.controller.name });
				break;
			case 'session.requested':
				join(e.customer, e.at);
				firstWaitedAt = e.handover.firstSince;
				wait(e.handover.queueId, e.at);
				step({ at: e.at, kind: 'requested', by: e.customer.name, queue: names.queue(e.handover.queueId) });
				break;
			case 'session.handedOver':
				firstWaitedAt ??= e.handover.firstSince;
				wait(e.handover.queueId, e.at);
				step({
					at: e.at,
					kind: 'handedOver',
					by: nameOf(controller),
					queue: names.queue(e.handover.queueId),
					to: e.handover.agents ? e.handover.agents.map(names.rep).join(', ') : null,
				});
				controller = null;
				break;
			case 'handover.moved':
				stopWaiting(e.at, 'moved');
				wait(e.queueId, e.at);
				step({ at: e.at, kind: 'moved', queue: names.queue(e.queueId) });
				break;
			case 'offer.made':
				for (const o of e.offers) step({ at: e.at, kind: 'offered', to: names.rep(o.repId), queue: queueWaits.at(-1)?.queue ?? null });
				break;
			case 'offer.declined':
				step({ at: e.at, kind: 'declined', by: names.rep(e.repId) });
				break;
			case 'offer.expired':
				step({ at: e.at, kind: 'expired', to: names.rep(e.repId) });
				break;
			case 'session.accepted':
				join(e.controller, e.at);
				stopWaiting(e.at, 'accepted', e.controller.name);
				step({
					at: e.at,
					kind: 'accepted',
					to: e.controller.name,
					queue: queueWaits.at(-1)?.queue ?? null,
					waitedMs: firstWaitedAt === null ? null : e.at - firstWaitedAt,
				});
				firstWaitedAt = null;
				break;
			case 'participant.joined':
				join(e.participant, e.at);
				break;
			case 'participant.left': {
				const p = people.get(e.participantId);
				if (p) Object.assign(p, { leftAt: e.at, leftBecause: e.reason });
				break;
			}
			case 'control.transferred':
				becomes(e.from, 'assistant');
				becomes(e.to, 'controller');
				controller = e.to;
				step({ at: e.at, kind: e.fromLeaves ? 'transferredAndLeft' : 'transferred', by: nameOf(e.from), to: nameOf(e.to) });
				break;
			case 'session.ended':
				stopWaiting(e.at, 'ended');
				endedBy = nameOf(e.by);
				endReason = e.reason;
				for (const p of people.values()) if (p.leftAt === null) Object.assign(p, { leftAt: e.at, leftBecause: 'sessionEnded' });
				step({ at: e.at, kind: 'ended', by: endedBy, reason: e.reason });
				break;
			default:
				break;
		}
	}
	return { participants: [...people.values()], control, queueWaits, endedBy, endReason };
}
