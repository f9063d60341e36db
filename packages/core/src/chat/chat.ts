// A session's chat (SPEC §9): lines posted as session events, the transcript read back from the log for a
// page that opens afresh, the typing indicator (never stored), and the transcript mailed to a customer at
// the end — once per customer, through the mail port.

import type { Database } from '@tandem/db';
import { eventsOf } from '../log/eventLog.ts';
import type { Bus } from '../feed/bus.ts';
import { describeEvent, type FeedEvent, type Viewer } from '../feed/views.ts';
import { message, type Language } from '../mail/invitationMail.ts';
import { MailError, type Mailer } from '../mail/mailer.ts';
import { refuse, TandemError } from '../refusal.ts';
import type { RateLimiter } from '../service/rateLimiter.ts';
import type { ActorRef, SessionService } from '../service/sessionService.ts';
import { participantIn } from '../trpc/actor.ts';
import { evolve } from '../session/evolve.ts';
import type { SessionEvent, SessionState } from '../session/model.ts';
import { formatSessionNumber } from '../session/sessionNumber.ts';
import { isTranscriptLine, systemLineWords } from '../session/transcript.ts';

/** Someone in a session is typing: who may hear of it (the session's people at the time). */
export interface TypingChange {
	sessionId: string;
	participantId: string;
	/** The typing rep's (null: a customer). */
	repId: string | null;
	name: string;
	participantIds: string[];
	repIds: string[];
}

/** A page tells of typing every few seconds at most; more often than this from one person is dropped. */
const TYPING_EVERY_MS = 1_000;

export interface ChatDeps {
	db: Database;
	sessions: SessionService;
	bus: Bus;
	mailer: Mailer;
	/** Chat lines per writer: a person types a few a second at most; a script, thousands. */
	rate: RateLimiter;
}

export class Chat {
	private readonly deps: ChatDeps;
	private readonly lastTyping = new Map<string, number>();

	constructor(deps: ChatDeps) {
		this.deps = deps;
	}

	/** A line in the session's chat; the same `messageId` again (a retry) posts nothing more. */
	async post(actor: ActorRef, sessionId: string, messageId: string, text: string): Promise<void> {
		this.deps.rate.take(`${sessionId}:${JSON.stringify(actor)}`);
		await this.deps.sessions.command(sessionId, actor, { type: 'postChat', messageId, text });
	}

	/** "Ana is typing…" for the others in the session: told, not stored. */
	async typing(actor: ActorRef, sessionId: string): Promise<void> {
		const state = (await this.deps.sessions.state(sessionId)) ?? refuse('sessionNotFound');
		const me = participantIn(state, actor) ?? refuse(actor.kind === 'anonymous' ? 'notSignedIn' : 'notInSession');
		if (state.status === 'ended') refuse('sessionEnded');
		const key = `${sessionId}:${me.id}`;
		const now = this.deps.sessions.now();
		if (now - (this.lastTyping.get(key) ?? -Infinity) < TYPING_EVERY_MS) return;
		this.lastTyping.set(key, now);
		if (this.lastTyping.size > 10_000) this.lastTyping.clear();
		this.deps.bus.publishTyping({
			sessionId,
			participantId: me.id,
			repId: me.repId ?? null,
			name: me.name,
			participantIds: state.participants.map((p) => p.id),
			repIds: state.participants.flatMap((p) => (p.repId ? [p.repId] : [])),
		});
	}

	/**
	 * The session's transcript as this viewer may read it: reps in it read it whole (who takes a session over
	 * reads what came before); a customer reads from their joining on (not what another customer wrote first).
	 */
	async transcript(sessionId: string, viewer: Viewer, upTo = Number.POSITIVE_INFINITY): Promise<FeedEvent[]> {
		const rows = await eventsOf(this.deps.db, 'session', sessionId);
		const lines: FeedEvent[] = [];
		let state: SessionState | null = null;
		let reading = viewer.kind === 'rep';
		for (const row of rows) {
			if (row.id > upTo) break;
			const event = row.payload as SessionEvent;
			const before = state;
			state = evolve(state, event);
			if (!reading && viewer.kind === 'customer') reading = joins(event, viewer.participantId);
			if (!reading) continue;
			const line = describeEvent(row.id, sessionId, event, before, state);
			if (isTranscriptLine(line)) lines.push(line);
		}
		return lines;
	}

	/**
	 * The customer, on the closing screen, has the transcript mailed to them (SPEC §9): once per customer per
	 * session; a mail server that refuses leaves it not sent, and they may try again.
	 */
	async mailTranscript(
		actor: ActorRef,
		sessionId: string,
		request: { to: string; language: Language; timeZone: string },
	): Promise<{ transport: 'smtp' | 'outbox' }> {
		const { sessions, mailer } = this.deps;
		// The rules refuse whoever is not a customer of the session (and a second mail).
		const state = await sessions.command(sessionId, actor, { type: 'requestTranscript', to: request.to, language: request.language });
		if (actor.kind !== 'customer' || !actor.participantId) return refuse('notACustomer');
		const participantId = actor.participantId;
		const lines = await this.transcript(sessionId, { kind: 'customer', participantId });
		const text = transcriptText(state, lines, request.language, request.timeZone);
		const subject = message(request.language, 'transcript_mail_subject', { number: formatSessionNumber(state.number) });
		try {
			await mailer.send({ to: request.to, subject, text, language: request.language });
		} catch (error) {
			const reason = error instanceof MailError ? error.message : String(error);
			await sessions.command(sessionId, { kind: 'system' }, { type: 'recordTranscriptMail', participantId, error: reason });
			throw new TandemError('mailNotSent', reason, { reason });
		}
		await sessions.command(sessionId, { kind: 'system' }, { type: 'recordTranscriptMail', participantId, error: null });
		return { transport: mailer.transport };
	}
}

const joins = (event: SessionEvent, participantId: string): boolean =>
	(event.type === 'participant.joined' && event.participant.id === participantId) ||
	(event.type === 'session.requested' && event.customer.id === participantId);

/** The transcript as plain text, one line each, times in the customer's time zone. */
export function transcriptText(state: SessionState, lines: FeedEvent[], language: Language, timeZone: string): string {
	const time = new Intl.DateTimeFormat(language === 'sr' ? 'sr-Latn' : 'en-GB', { timeZone, hour: '2-digit', minute: '2-digit' });
	const day = new Intl.DateTimeFormat(language === 'sr' ? 'sr-Latn' : 'en-GB', { timeZone, dateStyle: 'long' });
	const body = lines.flatMap((l) => {
		const text = lineText(l, language);
		return text ? [`[${time.format(l.at)}] ${text}`] : [];
	});
	return [
		message(language, 'transcript_mail_intro', { number: formatSessionNumber(state.number), date: day.format(state.startedAt) }),
		'',
		...body,
		'',
	].join('\n');
}

/** One line of the transcript in words (the pages say the same, chosen by `systemLineWords`). */
export function lineText(l: FeedEvent, language: Language): string {
	if (l.type === 'chat.posted') return `${l.who ?? ''}: ${l.text ?? ''}`;
	const words = systemLineWords(l);
	return words ? message(language, words.key, words.params) : '';
}
