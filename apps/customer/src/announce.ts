// What a feed event means to the customer, as one line for a toast (or null: nothing to say).
import type { FeedEvent, SessionView } from '@tandem/core/client';
import { m } from './paraglide/messages.js';

export function announce(e: FeedEvent, s: SessionView): string | null {
	if (e.sessionId !== s.id) return null;
	const mine = s.participants.find((p) => p.isMe)?.name;
	if (e.type === 'participant.joined' && e.who && e.who !== mine) return m.event_joined({ name: e.who });
	if (e.type === 'participant.left' && e.who)
		return e.reason === 'removed' ? m.event_removed({ name: e.who }) : m.event_left({ name: e.who });
	if (e.type === 'control.transferred' && e.to) return m.cust_control_changed({ name: e.to });
	// What stopped of the customer's own, and why, with what they can do (UI.md: a transfer explained).
	if (e.type === 'activity.stopped' && e.who === mine) {
		const handover = e.reason === 'controlTransferred' || e.reason === 'sessionTransferred';
		if (handover && e.activity === 'sharing') return m.cust_share_stopped_transfer();
		if (handover && e.activity === 'video') return m.cust_camera_stopped_transfer();
		if (e.reason === 'focusChanged' && e.activity === 'sharing') return m.cust_share_stopped_focus();
		if (e.reason === 'mediaEnded' && e.activity === 'sharing') return m.own_share_lost();
		if (e.reason === 'mediaEnded' && e.activity === 'video') return m.own_camera_lost();
	}
	if (e.type === 'activity.stopped' && e.who && e.reason === 'mediaEnded') {
		if (e.activity === 'sharing') return m.event_share_lost({ name: e.who });
		if (e.activity === 'video') return m.event_camera_lost({ name: e.who });
	}
	// Someone else's page lost the media server: what the customer sees of them may pause.
	if (e.type === 'media.failed' && e.who && e.who !== mine) {
		if (e.activity === 'receive') return m.media_lost_receive_other({ name: e.who });
		if (e.activity === 'send') return m.media_lost_send_other({ name: e.who });
	}
	if (e.type === 'media.failed' && e.activity === 'connect' && e.who === mine) return m.cust_media_blocked();
	return null;
}
