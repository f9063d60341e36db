// Side effects follow events (ARCHITECTURE principle 4): when the rules stop an activity, the media plane
// closes what carried it — never UI code remembering to. The media effect is a durable consumer of the
// event log (effects/effectConsumer.ts): a transfer committed just before a crash still stops the recording
// once a node runs again. What the SFU cannot do after a few tries is recorded as a `media.failed` event.
// And the other way: when the media plane loses something (a transport failed, a worker died, the SFU
// restarted), the session records it as stopped.

import { and, eq, gt, sql } from 'drizzle-orm';
import { events as eventLog, type Database } from '@tandem/db';
import type { Effect } from '../effects/effectConsumer.ts';
import type { LoggedEvent } from '../log/eventLog.ts';
import { TandemError } from '../refusal.ts';
import type { MediaAction, SessionEvent } from '../session/model.ts';
import type { SessionService } from '../service/sessionService.ts';
import { activityOf, sourceOf } from './mediaRules.ts';
import { MediaError, type MediaPort } from './mediaPort.ts';
import type { SessionMediaService } from './mediaService.ts';

/** Waits between tries of one SFU call (ms): three tries in all before the failure is recorded. */
const RETRY_AFTER_MS = [200, 1_000];

export interface MediaEffectDeps {
	db: Database;
	media: MediaPort;
	sessions: SessionService;
	sessionMedia: SessionMediaService;
}

export class MediaEffect implements Effect {
	readonly name = 'media';
	private readonly deps: MediaEffectDeps;

	constructor(deps: MediaEffectDeps) {
		this.deps = deps;
	}

	async handle(batch: LoggedEvent[]): Promise<boolean> {
		// Each session's events in their order; sessions side by side.
		const bySession = new Map<string, LoggedEvent<SessionEvent>[]>();
		for (const e of batch) {
			if (e.kind !== 'session') continue;
			const list = bySession.get(e.aggregateId) ?? [];
			list.push(e as LoggedEvent<SessionEvent>);
			bySession.set(e.aggregateId, list);
		}
		const acted = await Promise.all([...bySession].map(([sessionId, events]) => this.follow(sessionId, events)));
		return acted.some(Boolean);
	}

	/** Tells the SFU what one session's events ask of it; says whether there was anything to tell. */
	private async follow(sessionId: string, events: LoggedEvent<SessionEvent>[]): Promise<boolean> {
		let acted = false;
		let moved = false;
		// Stopping things commutes (different producers, the recording, a participant's media): a run of
		// stops goes to the SFU at once — a transfer's share, camera and recording close side by side.
		let stops: Promise<void>[] = [];
		const flushStops = async () => {
			await Promise.all(stops);
			stops = [];
		};
		for (const { id, event } of events) {
			switch (event.type) {
				case 'activity.stopped': {
					const source = sourceOf(event.activity);
					if (source && event.participantId) {
						const participantId = event.participantId;
						stops.push(
							this.tell(sessionId, 'closeProducers', () => this.deps.media.closeProducers(sessionId, { sources: [source], participantId })),
						);
					} else if (event.activity === 'voiceCall') {
						stops.push(
							this.tell(sessionId, 'closeProducers', () => this.deps.media.closeProducers(sessionId, { sources: ['microphone'] })),
						);
					} else if (event.activity === 'recording' && event.reason !== 'mediaEnded') {
						stops.push(this.tell(sessionId, 'stopRecording', () => this.deps.media.stopRecording(sessionId)));
					}
					moved = true;
					break;
				}
				case 'activity.started':
					// Seen late (after a crash) a recording may be over already: start it only if it still is on.
					if (event.activity === 'recording') {
						await flushStops();
						acted = true;
						if (!(await this.stoppedSince(sessionId, id))) {
							await this.tell(sessionId, 'startRecording', () => this.deps.media.startRecording(sessionId, `${sessionId}-${id}`));
						}
					}
					break;
				case 'participant.left':
					stops.push(this.tell(sessionId, 'closeParticipant', () => this.deps.media.closeParticipant(sessionId, event.participantId)));
					moved = true;
					break;
				case 'session.ended':
					await flushStops();
					await this.tell(sessionId, 'closeSession', () => this.deps.media.closeSession(sessionId));
					moved = true;
					break;
				default:
					break;
			}
		}
		await flushStops();
		if (moved) this.deps.sessionMedia.announce(await this.deps.sessions.state(sessionId));
		return acted || moved;
	}

	/**
	 * Asks the SFU, a few times if it is unreachable. What is already so (no such session, nothing recording,
	 * a recording started before) is done; a failure that remains is recorded in the session's events.
	 */
	private async tell(sessionId: string, action: MediaAction, call: () => Promise<unknown>): Promise<void> {
		for (let attempt = 0; ; attempt++) {
			try {
				await call();
				return;
			} catch (error) {
				if (error instanceof MediaError && (error.status === 404 || error.status === 409)) return;
				const wait = RETRY_AFTER_MS[attempt];
				if (wait !== undefined && (!(error instanceof MediaError) || error.status >= 500)) {
					await new Promise((r) => setTimeout(r, wait));
					continue;
				}
				const reason = error instanceof Error ? error.message : String(error);
				console.error(`media: ${action} for session ${sessionId} failed: ${reason}`);
				await this.deps.sessions
					.command(sessionId, { kind: 'system' }, { type: 'recordMediaFailure', action, reason: reason.slice(0, 500) })
					.catch((recordError: unknown) => console.error(`media: could not record that ${action} failed`, recordError));
				return;
			}
		}
	}

	/** Whether the session's recording started at event `startedAt` was stopped (or the session ended) later. */
	private async stoppedSince(sessionId: string, startedAt: number): Promise<boolean> {
		const [row] = await this.deps.db
			.select({ id: eventLog.id })
			.from(eventLog)
			.where(
				and(
					eq(eventLog.aggregateKind, 'session'),
					eq(eventLog.aggregateId, sessionId),
					gt(eventLog.id, startedAt),
					sql`(${eventLog.type} = 'session.ended' or (${eventLog.type} = 'activity.stopped' and ${eventLog.payload}->>'activity' = 'recording'))`,
				),
			)
			.limit(1);
		return !!row;
	}
}

/**
 * What the media plane says it lost becomes the session's record: a producer whose transport failed, the
 * sessions of a worker that died, everything when the SFU restarted.
 */
export function followMediaPlane(media: MediaPort, sessions: SessionService, sessionMedia: SessionMediaService): () => void {
	let instance: string | null = null;
	const record = (sessionId: string, command: Parameters<SessionService['command']>[2]) =>
		sessions.command(sessionId, { kind: 'system' }, command).catch((error: unknown) => {
			// An ended or unknown session has nothing left to stop.
			if (error instanceof TandemError && (error.code === 'sessionEnded' || error.code === 'sessionNotFound')) return;
			console.error(`media: could not record what the media plane lost in session ${sessionId}`, error);
		});
	/**
	 * The first word from the media plane since this server started: what the record says is on but the media
	 * plane does not carry ends (a server killed with its media server comes back to a new, empty one).
	 */
	const reconcile = async () => {
		for (const sessionId of await sessions.liveSessionIds()) {
			const state = await sessions.state(sessionId);
			const a = state?.activities;
			if (!a || (a.sharing.length === 0 && a.video.length === 0 && !a.recording && !a.voiceCall)) continue;
			const carried = await media.producers(sessionId).catch((error: unknown) => {
				if (error instanceof MediaError && error.status === 404) return null; // the media plane never saw it
				throw error;
			});
			if (!carried) {
				await record(sessionId, { type: 'mediaEnded' });
				continue;
			}
			const has = (participantId: string, source: string) => carried.some((p) => p.participantId === participantId && p.source === source);
			for (const participantId of a.sharing)
				if (!has(participantId, 'screen')) await record(sessionId, { type: 'mediaEnded', activity: 'sharing', participantId });
			for (const participantId of a.video)
				if (!has(participantId, 'camera')) await record(sessionId, { type: 'mediaEnded', activity: 'video', participantId });
		}
	};
	return media.onEvent((event) => {
		switch (event.type) {
			case 'hello':
				if (instance === null) {
					void reconcile().catch((error: unknown) => console.error('media: could not compare the record with the media plane', error));
				} else if (instance !== event.instanceId) {
					// The SFU restarted: whatever media the sessions had is gone; clients can start it again.
					void sessions.liveSessionIds().then(
						(ids) => Promise.all(ids.map((sessionId) => record(sessionId, { type: 'mediaEnded' }))),
						(error: unknown) => console.error('media: could not list the live sessions after an SFU restart', error),
					);
				}
				instance = event.instanceId;
				return;
			case 'producer.closed': {
				const activity = activityOf(event.source);
				const done = activity
					? record(event.sessionId, { type: 'mediaEnded', activity, participantId: event.participantId })
					: Promise.resolve();
				void done
					.then(() => sessions.state(event.sessionId))
					.then((state) => sessionMedia.announce(state))
					.catch((error: unknown) => console.error('media: could not announce a closed producer', error));
				return;
			}
			case 'worker.died':
				// Its sessions' activities are marked ended; clients can start them again.
				for (const sessionId of event.sessionIds) void record(sessionId, { type: 'mediaEnded' });
				return;
			case 'recording.failed':
				void record(event.sessionId, { type: 'mediaEnded', activity: 'recording' });
				return;
			case 'transport.unreachable':
				// Neither UDP nor TCP gets through from this browser: the people of the session are told.
				void record(event.sessionId, {
					type: 'recordMediaFailure',
					action: 'connect',
					reason: `no ICE check reached the ${event.direction} transport`,
					participantId: event.participantId,
				});
				return;
		}
	});
}
