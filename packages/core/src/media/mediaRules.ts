// Who may receive media in a session, and which activity carries which source (SPEC §1, §9): pure, like the
// session rules (who may send is decide's sendMedia).

import type { Activities, Participant, SessionState } from '../session/model.ts';
import type { MediaSource } from './mediaPort.ts';

export type MediaRefusal = 'notInSession' | 'sessionEnded';

/** Everyone present may watch and listen while the session is not over. */
export function mayReceive(state: SessionState, participant: Participant | undefined): MediaRefusal | null {
	if (!participant) return 'notInSession';
	if (state.status === 'ended') return 'sessionEnded';
	return null;
}

/** The session activity a media source carries (a microphone belongs to the session-wide voice call). */
export const activityOf = (source: MediaSource) => (source === 'screen' ? 'sharing' : source === 'camera' ? 'video' : null);

/** The media source that carries a participant's activity. */
export const sourceOf = (activity: string): MediaSource | null =>
	activity === 'sharing' ? 'screen' : activity === 'video' ? 'camera' : null;

/** Whether the session's activities still carry a participant's source (a microphone: while the voice call is on). */
export function carries(
	activities: Pick<Activities, 'sharing' | 'video' | 'voiceCall'>,
	source: MediaSource,
	participantId: string,
): boolean {
	if (source === 'microphone') return activities.voiceCall;
	const activity = activityOf(source);
	return activity === 'sharing' ? activities.sharing.includes(participantId) : activities.video.includes(participantId);
}
