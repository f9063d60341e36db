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
	if (e.type === 'media.failed' && e.activity === 'connect' && e.who === mine) return m.cust_media_blocked();
	return null;
}
