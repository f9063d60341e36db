// What WebACD learns from sessions as they change (SPEC §8): routing looks again; an agent whose last
// session ended or moved on is without a session from now (most idle); a session taken from a queue that
// ends tells the queue how long it took (the estimated wait's mean handling time).

import type { SessionChange } from '../feed/bus.ts';
import type { Acd } from './acd.ts';
import { queueAggregate } from './acdAggregates.ts';
import type { AcdRouter } from './acdRouter.ts';
import type { CommandRunner } from '../aggregate/runner.ts';

export function followSessionsForAcd(deps: { acd: Acd; router: AcdRouter; runner: CommandRunner }): (change: SessionChange) => void {
	return (change) => {
		void learn(deps, change).catch((error: unknown) => console.error('acd: could not follow a session change', error));
	};
}

async function learn(
	{ acd, router, runner }: { acd: Acd; router: AcdRouter; runner: CommandRunner },
	change: SessionChange,
): Promise<void> {
	const { before, state, events } = change;
	const types = new Set(events.map((e) => e.event.type));
	// Whoever controlled it before and does not now has one session fewer.
	const controllerBefore = before?.participants.find((p) => p.id === before.controllerId)?.repId;
	const controllerNow = state.participants.find((p) => p.id === state.controllerId)?.repId;
	if (controllerBefore && controllerBefore !== controllerNow) await acd.noteIdleIfFree(controllerBefore);
	const ended = events.find((e) => e.event.type === 'session.ended');
	const servedFrom = before?.servedFrom;
	if (ended && servedFrom?.queueId) {
		await runner.run(
			queueAggregate,
			servedFrom.queueId,
			{ kind: 'system' },
			{ type: 'noteHandled', ms: ended.event.at - servedFrom.since },
			undefined,
		);
	}
	// Anything about waiting, offers, control or the end frees or fills an agent, or changes a line.
	if (before?.status === 'waiting' || state.status === 'waiting' || types.has('session.ended') || types.has('control.transferred'))
		router.wake();
}
