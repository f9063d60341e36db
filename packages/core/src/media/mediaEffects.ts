// Side effects follow events (ARCHITECTURE principle 4): when the rules stop an activity, the media
// plane closes what carried it — never UI code remembering to. And the other way: when the media
// plane loses something (a transport failed, a worker died), the session records it as stopped.

import type { Bus, SessionChange } from '../feed/bus.ts';
import type { SessionService } from '../service/sessionService.ts';
import { activityOf, sourceOf } from './mediaRules.ts';
import type { MediaPort } from './mediaPort.ts';

export function followSessionEvents(bus: Bus, media: MediaPort, sessions: SessionService): () => void {
	// One queue per session keeps the media plane in the order of the events.
	const queues = new Map<string, Promise<void>>();
	const stopBus = bus.subscribe((change) => {
		const previous = queues.get(change.sessionId) ?? Promise.resolve();
		const next = previous
			.then(() => applyChange(media, change))
			.catch((error: unknown) => {
				console.error(`media: could not follow session ${change.sessionId}`, error);
			});
		queues.set(change.sessionId, next);
		void next.then(() => {
			if (queues.get(change.sessionId) === next) queues.delete(change.sessionId);
		});
		if (change.events.some((e) => e.event.type === 'activity.stopped' || e.event.type === 'participant.left')) {
			void next.then(() => announceMedia(bus, change));
		}
	});

	let instance: string | null = null;
	const stopMedia = media.onEvent((event) => {
		if (event.type === 'hello') {
			// The SFU restarted: whatever media the sessions had is gone; clients can start it again.
			if (instance !== null && instance !== event.instanceId) {
				void sessions.liveSessionIds().then((ids) => {
					for (const sessionId of ids) void sessions.command(sessionId, { kind: 'system' }, { type: 'mediaEnded' }).catch(() => undefined);
				});
			}
			instance = event.instanceId;
		} else if (event.type === 'producer.closed') {
			const activity = activityOf(event.source);
			if (activity) {
				void sessions
					.command(event.sessionId, { kind: 'system' }, { type: 'mediaEnded', activity, participantId: event.participantId })
					.catch(() => undefined);
			}
			void sessions
				.state(event.sessionId)
				.then((state) => state && announceMedia(bus, { sessionId: event.sessionId, state, before: null, events: [] }));
		} else if (event.type === 'worker.died') {
			// Its sessions' activities are marked ended; clients can start them again.
			for (const sessionId of event.sessionIds) {
				void sessions.command(sessionId, { kind: 'system' }, { type: 'mediaEnded' }).catch(() => undefined);
			}
		} else if (event.type === 'recording.failed') {
			void sessions.command(event.sessionId, { kind: 'system' }, { type: 'mediaEnded', activity: 'recording' }).catch(() => undefined);
		}
	});
	return () => {
		stopBus();
		stopMedia();
	};
}

async function applyChange(media: MediaPort, change: SessionChange): Promise<void> {
	const sid = change.sessionId;
	for (const { id, event } of change.events) {
		switch (event.type) {
			case 'activity.stopped': {
				const source = sourceOf(event.activity);
				if (source && event.participantId) await media.closeProducers(sid, { sources: [source], participantId: event.participantId });
				else if (event.activity === 'voiceCall') await media.closeProducers(sid, { sources: ['microphone'] });
				else if (event.activity === 'recording' && event.reason !== 'mediaEnded') await media.stopRecording(sid);
				break;
			}
			case 'activity.started':
				if (event.activity === 'recording') await media.startRecording(sid, `${sid}-${id}`);
				break;
			case 'participant.left':
				await media.closeParticipant(sid, event.participantId);
				break;
			case 'session.ended':
				await media.closeSession(sid);
				break;
			default:
				break;
		}
	}
}

export function announceMedia(bus: Bus, change: SessionChange): void {
	const people = [...change.state.participants, ...(change.before?.participants ?? [])];
	bus.publishMedia({
		sessionId: change.sessionId,
		participantIds: [...new Set(people.map((p) => p.id))],
		repIds: [...new Set(people.flatMap((p) => (p.repId ? [p.repId] : [])))],
	});
}
