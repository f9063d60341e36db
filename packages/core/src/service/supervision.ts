// The supervisor view (SPEC §8): what an administrator watches live — every session not ended (its number,
// who controls it, its customers, what is going on in it, how long it has run), every queue (how many wait,
// the longest wait, offers out) and every agent (state, load). Read from the projections in one go; the
// admin's page is told again whenever a session, an agent or a queue changes (trpc/routers/supervisor.ts).

import { ne } from 'drizzle-orm';
import { supportSessions, type Database } from '@tandem/db';
import type { AgentState } from '../acd/model.ts';
import { inFlight } from '../session/decide.ts';
import { filesOf } from '../session/evolve.ts';
import type { Activities, Activity, SessionState } from '../session/model.ts';
import { formatSessionNumber } from '../session/sessionNumber.ts';
import type { Clock } from '../time/clock.ts';
import type { Acd } from './acd.ts';

export interface SupervisedSession {
	id: string;
	numberFormatted: string;
	/** Waiting: handed to WebACD, nobody in control until an agent accepts. */
	status: 'live' | 'waiting';
	controller: string | null;
	customers: string[];
	assistants: string[];
	activities: SupervisedActivity[];
	startedAt: number;
	/** Where it waits: a queue's name; null with chosen agents, or when it does not wait. */
	waitingIn: string | null;
}

export interface SupervisedQueue {
	id: string;
	name: string;
	waiting: number;
	/** Since when the customer who has waited longest has waited; null when nobody waits. */
	longestWaitSince: number | null;
	offersOut: number;
	/** Members not away. */
	membersThere: number;
	members: number;
}

export interface SupervisedAgent {
	repId: string;
	name: string;
	state: AgentState;
	load: number;
	capacity: number;
	offersOut: number;
}

export interface SupervisorView {
	/** The server's now, so durations on the page count from the same clock. */
	at: number;
	sessions: SupervisedSession[];
	queues: SupervisedQueue[];
	agents: SupervisedAgent[];
}

/** What a supervisor sees going on in a session: the activities, and a file transfer in flight. */
export type SupervisedActivity = Activity | 'fileTransfer';

/** Which activities are on, as the words a supervisor reads (SPEC §9). */
function activitiesOn(a: Activities, s: SessionState): SupervisedActivity[] {
	const on: SupervisedActivity[] = [];
	if (a.sharing.length > 0) on.push('sharing');
	if (a.video.length > 0) on.push('video');
	if (a.voiceCall) on.push('voiceCall');
	if (a.recording) on.push('recording');
	if (filesOf(s).some(inFlight)) on.push('fileTransfer');
	return on;
}

export async function supervisorView(deps: { db: Database; acd: Acd; clock: Clock }): Promise<SupervisorView> {
	const { db, acd, clock } = deps;
	const rows = await db.select({ state: supportSessions.state }).from(supportSessions).where(ne(supportSessions.status, 'ended'));
	const states = rows.map((r) => r.state as SessionState).sort((a, b) => a.startedAt - b.startedAt);
	const queues = await acd.queues();
	const agents = await acd.agentViews();
	const queueName = new Map(queues.map((q) => [q.id, q.name]));
	const waiting = states.filter((s) => s.status === 'waiting' && s.handover);
	const offersOutTo = (repId: string) => waiting.reduce((n, s) => n + s.handover!.offers.filter((o) => o.repId === repId).length, 0);

	return {
		at: clock.now(),
		sessions: states.map((s) => {
			const named = (role: string) => s.participants.filter((p) => p.role === role).map((p) => p.name);
			return {
				id: s.id,
				numberFormatted: formatSessionNumber(s.number),
				status: s.status === 'waiting' ? 'waiting' : 'live',
				controller: s.participants.find((p) => p.id === s.controllerId)?.name ?? null,
				customers: named('customer'),
				assistants: named('assistant'),
				activities: activitiesOn(s.activities, s),
				startedAt: s.startedAt,
				waitingIn: s.status === 'waiting' && s.handover?.queueId ? (queueName.get(s.handover.queueId) ?? null) : null,
			};
		}),
		queues: queues.map((q) => {
			const theirs = waiting.filter((s) => s.handover!.queueId === q.id);
			return {
				id: q.id,
				name: q.name,
				waiting: theirs.length,
				longestWaitSince: theirs.length ? Math.min(...theirs.map((s) => s.handover!.firstSince)) : null,
				offersOut: theirs.reduce((n, s) => n + s.handover!.offers.length, 0),
				membersThere: agents.filter((a) => q.members.includes(a.repId) && a.state !== 'away').length,
				members: q.members.length,
			};
		}),
		agents: agents.map((a) => ({
			repId: a.repId,
			name: a.name,
			state: a.state,
			load: a.load,
			capacity: a.capacity,
			offersOut: offersOutTo(a.repId),
		})),
	};
}
