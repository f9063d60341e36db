// The console's live picture: every session this rep takes part in, kept current by the one feed
// (ARCHITECTURE §7). The server sends whole session views; this only files them and raises toasts.

import { isTranscriptLine, mergeLines, POINTER_EVENT, type FeedEvent, type OfferView, type SessionView } from '@tandem/core/client';
import type { FeedItem } from '@tandem/core/server';
import { m } from '../paraglide/messages.js';
import type { HeartbeatOrder } from './heartbeatWorker.ts';
import { heardSiteTime } from './siteClock.ts';
import { signedOut, TRPC_URL, trpc } from './trpc.ts';

export interface Toast {
	id: number;
	text: string;
}

export class ConsoleFeed {
	sessions = $state<SessionView[]>([]);
	selectedId = $state<string | null>(null);
	connected = $state(false);
	toasts = $state<Toast[]>([]);
	private nextToast = 1;
	private subscription: { unsubscribe(): void } | null = null;
	/** Told when media moves in a session, and of every new picture of the sessions. */
	onmedia: (sessionId: string) => void = () => {};
	onsessions: (sessions: SessionView[]) => void = () => {};
	/** This page's id: its feed is the console's lifeline (SPEC §2). */
	readonly consoleId = crypto.randomUUID();
	private heartbeat: { beat(): void; stop(): void } | null = null;
	/** The browser gave this console a microphone. */
	private microphone = false;

	/** Each session's chat transcript, by session id (SPEC §9). */
	transcripts = $state<Record<string, FeedEvent[]>>({});
	/** Who is typing in each session, until when (this page's clock). */
	typing = $state<Record<string, { participantId: string; name: string; until: number }[]>>({});
	/** Chat lines not read yet, by session: counted for sessions not in front (or all, while the page is hidden). */
	unread = $state<Record<string, number>>({});
	/** Sessions in the background where something happened (a join, a leave, control): their tab says so. */
	news = $state<Record<string, boolean>>({});
	/** Bytes of each file in transfer as the server last told: available, for a recipient (SPEC §9). */
	fileBytes = $state<Record<string, number>>({});
	/** What the rep is typing in each session's chat, kept across tab switches. */
	drafts: Record<string, string> = {};

	get selected(): SessionView | null {
		return this.sessions.find((s) => s.id === this.selectedId) ?? this.sessions[0] ?? null;
	}

	/**
	 * With the rep's Voice calls setting on, the console asks the browser for a microphone once; it then
	 * supports voice (SPEC §6) and says so with each heartbeat, so a call transferred to it goes on.
	 */
	open(options: { voiceCalls: boolean } = { voiceCalls: false }): void {
		// The console's heartbeat (SPEC §2): a console that falls silent has lost its connection.
		this.heartbeat = this.startHeartbeat();
		const beat = () => this.heartbeat?.beat();
		if (options.voiceCalls && navigator.mediaDevices?.getUserMedia) {
			navigator.mediaDevices
				.getUserMedia({ audio: true })
				.then((stream) => {
					for (const track of stream.getTracks()) track.stop();
					this.microphone = true;
					beat();
				})
				.catch(() => undefined);
		}
		this.subscription = trpc.feed.events.subscribe(
			{ as: 'rep', consoleId: this.consoleId },
			{
				// Tracked items come as { id, data }; media notices come bare.
				onData: (item) => this.apply(('data' in item ? item.data : item) as FeedItem),
				onConnectionStateChange: (state) => (this.connected = state.state === 'pending'),
				onError: () => (this.connected = false),
				// The server ends a rep's feed only when their login has ended (e.g. the account was disabled).
				onComplete: () => {
					if (this.subscription) signedOut();
				},
			},
		);
	}

	/** Beats from a worker, which a hidden tab does not throttle; from the page where workers cannot run. */
	private startHeartbeat(): { beat(): void; stop(): void } {
		const order = (): HeartbeatOrder => ({
			url: new URL(`${TRPC_URL}/auth.heartbeat`, location.href).href,
			consoleId: this.consoleId,
			microphone: this.microphone,
		});
		try {
			const worker = new Worker(new URL('./heartbeatWorker.ts', import.meta.url), { type: 'module' });
			worker.postMessage(order());
			return { beat: () => worker.postMessage(order()), stop: () => worker.terminate() };
		} catch {
			const beat = () => void trpc.auth.heartbeat.mutate({ consoleId: this.consoleId, microphone: this.microphone }).catch(() => undefined);
			const timer = setInterval(beat, 5_000);
			return { beat, stop: () => clearInterval(timer) };
		}
	}

	close(): void {
		this.heartbeat?.stop();
		this.heartbeat = null;
		const subscription = this.subscription;
		this.subscription = null;
		subscription?.unsubscribe();
	}

	/** Sessions this rep controls: closing the console would end them. */
	get controlled(): SessionView[] {
		return this.sessions.filter((s) => s.me?.role === 'controller');
	}

	/**
	 * The page is going away (closed, navigated elsewhere, or reloaded): say goodbye so the server
	 * ends this rep's sessions in 5 s unless the console comes back — a reload does.
	 */
	goodbye(): void {
		void fetch(`${TRPC_URL}/auth.goodbye`, {
			method: 'POST',
			keepalive: true,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ consoleId: this.consoleId }),
		}).catch(() => undefined);
	}

	/** A session this console just started or joined, shown before the feed echoes it. */
	show(view: SessionView): void {
		this.put(view);
		this.selectedId = view.id;
	}

	select(id: string): void {
		this.selectedId = id;
		this.read(id);
		if (this.news[id]) this.news = { ...this.news, [id]: false };
	}

	/** The rep has the session's chat in front of them. */
	read(sessionId: string): void {
		if (this.unread[sessionId]) this.unread = { ...this.unread, [sessionId]: 0 };
	}

	/** Chat lines unread in all sessions (the page title shows it). */
	get unreadTotal(): number {
		return Object.values(this.unread).reduce((a, b) => a + b, 0);
	}

	/** New lines of a session's transcript: kept in order; others' chat lines count as unread unless read now. */
	private hear(sessionId: string, events: FeedEvent[], view: SessionView | undefined): void {
		const lines = events.filter(isTranscriptLine);
		if (lines.length === 0) return;
		const known = new Set((this.transcripts[sessionId] ?? []).map((l) => l.id));
		this.transcripts = { ...this.transcripts, [sessionId]: mergeLines(this.transcripts[sessionId] ?? [], lines) };
		const mine = view?.me?.participantId;
		const fresh = lines.filter((l) => l.type === 'chat.posted' && !known.has(l.id) && l.by !== mine);
		// A line from someone ends their "typing…".
		const writers = new Set(fresh.map((l) => l.by));
		if (this.typing[sessionId]?.some((t) => writers.has(t.participantId)))
			this.typing = { ...this.typing, [sessionId]: this.typing[sessionId]!.filter((t) => !writers.has(t.participantId)) };
		const inFront = this.selected?.id === sessionId && document.visibilityState === 'visible';
		if (fresh.length > 0 && !inFront) this.unread = { ...this.unread, [sessionId]: (this.unread[sessionId] ?? 0) + fresh.length };
	}

	private heardTyping(sessionId: string, participantId: string, name: string): void {
		const until = Date.now() + 5_000;
		const others = (this.typing[sessionId] ?? []).filter((t) => t.participantId !== participantId && t.until > Date.now());
		this.typing = { ...this.typing, [sessionId]: [...others, { participantId, name, until }] };
		setTimeout(() => {
			const now = Date.now();
			const left = (this.typing[sessionId] ?? []).filter((t) => t.until > now);
			if (left.length !== (this.typing[sessionId] ?? []).length) this.typing = { ...this.typing, [sessionId]: left };
		}, 5_100);
	}

	/** WebACD offers out to this agent (SPEC §8), each with the moment it runs out on this page's clock. */
	offers = $state<(OfferView & { deadline: number; receivedAt: number })[]>([]);
	/** Told when an offer arrives that was not there before (the page rings and changes its title). */
	onnewoffer: () => void = () => {};

	private receiveOffers(offers: OfferView[]): void {
		const now = Date.now();
		const known = new Set(this.offers.map((o) => o.offerId));
		this.offers = offers.map((o) => ({ ...o, deadline: now + o.timeLeftMs, receivedAt: now }));
		if (offers.some((o) => !known.has(o.offerId))) this.onnewoffer();
	}

	/** An offer answered here goes at once (the feed confirms). */
	dropOffer(offerId: string): void {
		this.offers = this.offers.filter((o) => o.offerId !== offerId);
	}

	toast(text: string): void {
		const id = this.nextToast++;
		this.toasts = [...this.toasts, { id, text }];
		setTimeout(() => (this.toasts = this.toasts.filter((t) => t.id !== id)), 6000);
	}

	private apply(item: FeedItem): void {
		if (item.kind === 'media') {
			this.onmedia(item.sessionId);
			return;
		}
		if (item.kind === 'line') return; // a customer's place in line: not the console's
		if (item.kind === 'typing') {
			this.heardTyping(item.sessionId, item.participantId, item.name);
			return;
		}
		if (item.kind === 'pointer') {
			// To the shared screen it is over, if this page shows it (ScreenView).
			dispatchEvent(new CustomEvent(POINTER_EVENT, { detail: item }));
			return;
		}
		if (item.kind === 'fileProgress') {
			this.fileBytes = { ...this.fileBytes, [item.fileId]: item.bytes };
			return;
		}
		if (item.kind === 'offers') {
			this.receiveOffers(item.offers);
			return;
		}
		if (item.kind === 'snapshot') {
			heardSiteTime(item.now);
			this.receiveOffers(item.offers ?? []);
			this.sessions = item.sessions.filter(isMine);
			if (item.transcripts) this.transcripts = { ...item.transcripts };
			for (const s of this.sessions)
				this.hear(
					s.id,
					item.missed.filter((e) => e.sessionId === s.id),
					s,
				);
			for (const e of item.missed)
				this.announce(
					e,
					this.sessions.find((s) => s.id === e.sessionId),
				);
			this.onsessions(this.sessions);
			return;
		}
		const before = this.sessions.find((s) => s.id === item.session.id);
		for (const e of item.events) this.announce(e, item.session, before);
		this.hear(item.session.id, item.events, item.session);
		this.put(item.session);
		this.onsessions(this.sessions);
	}

	private put(view: SessionView): void {
		if (!isMine(view)) {
			this.sessions = this.sessions.filter((s) => s.id !== view.id);
			return;
		}
		const i = this.sessions.findIndex((s) => s.id === view.id);
		this.sessions = i < 0 ? [...this.sessions, view] : this.sessions.map((s) => (s.id === view.id ? view : s));
	}

	private announce(e: FeedEvent, view: SessionView | undefined, before?: SessionView): void {
		if (!view) return;
		const meName = view.participants.find((p) => p.isMe)?.name ?? before?.participants.find((p) => p.isMe)?.name;
		// A rep may have several sessions open: a toast says which one it is about.
		const about = (text: string) => {
			this.toast(m.toast_in_session({ number: view.numberFormatted, text }));
			if (view.id !== this.selected?.id) this.news = { ...this.news, [view.id]: true };
		};
		switch (e.type) {
			case 'participant.joined':
				if (e.who && e.who !== meName) about(m.event_joined({ name: e.who }));
				break;
			case 'participant.left':
				if (e.who && e.who !== meName) about(e.reason === 'removed' ? m.event_removed({ name: e.who }) : m.event_left({ name: e.who }));
				break;
			case 'control.transferred':
				if (view.me?.role === 'controller' && before?.me?.role !== 'controller') {
					this.toast(m.control_received({ number: view.numberFormatted }));
				} else if (e.who && e.to) {
					about(m.event_control({ from: e.who, to: e.to }));
				}
				break;
			case 'session.ended':
				this.toast(m.session_ended_here({ number: view.numberFormatted }));
				break;
			case 'activity.stopped':
				// A share or a camera that the media connection took down: said, with whose (mine: I can start it again).
				if (e.reason !== 'mediaEnded' || !e.who || (e.activity !== 'sharing' && e.activity !== 'video')) break;
				if (e.who === meName) about(e.activity === 'sharing' ? m.own_share_lost() : m.own_camera_lost());
				else about(e.activity === 'sharing' ? m.event_share_lost({ name: e.who }) : m.event_camera_lost({ name: e.who }));
				break;
			case 'media.failed':
				// Someone's page lost the media server: everyone in the session hears it (their own page says more).
				if (e.activity === 'send' || e.activity === 'receive') {
					if (e.who && e.who !== meName)
						about(e.activity === 'send' ? m.media_lost_send_other({ name: e.who }) : m.media_lost_receive_other({ name: e.who }));
					break;
				}
				// What the media plane could not do is said, never swallowed (only the controller can act on it).
				if (view.me?.role !== 'controller') break;
				if (e.activity === 'connect')
					this.toast(
						e.who && e.who !== meName
							? m.media_failed_connect({ number: view.numberFormatted, name: e.who })
							: m.media_failed_connect_mine({ number: view.numberFormatted }),
					);
				else this.toast(mediaFailure(e.activity, view.numberFormatted));
				break;
		}
	}
}

function mediaFailure(action: string | null, number: string): string {
	switch (action) {
		case 'stopRecording':
			return m.media_failed_stop_recording({ number });
		case 'startRecording':
			return m.media_failed_start_recording({ number });
		case 'closeProducers':
			return m.media_failed_close_producers({ number });
		case 'closeParticipant':
			return m.media_failed_close_participant({ number });
		default:
			return m.media_failed_close_session({ number });
	}
}

/** A session the rep is still in and that is not over. */
const isMine = (s: SessionView) => s.me !== null && s.status !== 'ended';
