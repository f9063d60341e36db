// Reports (SPEC §10): the session history, one session's report, its exports, and the customer's
// post-session survey. Reps read the sessions they took part in; administrators read all.

import { asc, eq, inArray } from 'drizzle-orm';
import { invitations, queues, reps, sessionFiles, surveys, type Database } from '@tandem/db';
import type { RepRow } from '../auth/repAccounts.ts';
import { lineText, type Chat } from '../chat/chat.ts';
import { downloadUrlOf } from '../files/fileAddresses.ts';
import { eventsOf } from '../log/eventLog.ts';
import type { Language } from '../mail/invitationMail.ts';
import type { RecordingView, Recordings } from '../recordings/recordings.ts';
import type { ActorRef, SessionService } from '../service/sessionService.ts';
import type { EndReason, SessionEvent, SessionStatus } from '../session/model.ts';
import {
	everySession,
	sessionHistory,
	surveyAverages,
	type HistoryFilter,
	type HistoryPage,
	type HistoryRow,
	type historyPage,
	type SurveyAverages,
} from './history.ts';
import { mayReadReport } from './reportAccess.ts';
import { sessionStory, type ControlStep, type QueueWait, type ReportParticipant } from './sessionStory.ts';
import type { z } from 'zod';

/** The report's JSON schema's name and version (README › Reports). */
export const REPORT_SCHEMA = 'tandem.sessionReport/1';

export interface TranscriptLine {
	id: number;
	at: number;
	kind: 'chat' | 'system';
	/** Who wrote a chat line. */
	who: string | null;
	/** What they wrote, or the system line in the reader's language. */
	text: string;
}

export interface ReportFile {
	id: string;
	name: string;
	size: number;
	mediaType: string;
	sha256: string | null;
	sender: string;
	status: 'offered' | 'uploading' | 'complete' | 'cancelled' | 'expired';
	offeredAt: number;
	completedAt: number | null;
	/** Where its bytes are while they are kept (complete, not past retention); null otherwise. */
	download: string | null;
}

export interface ReportInvitation {
	via: 'email' | 'mailto' | 'link';
	role: 'customer' | 'rep';
	recipient: string | null;
	createdBy: string | null;
	createdAt: number;
	expiresAt: number;
	sentAt: number | null;
	sendError: string | null;
	revokedAt: number | null;
}

export interface ReportSurvey {
	customer: string;
	rating: number;
	comment: string;
	answeredAt: number;
}

export interface SessionReport {
	schema: typeof REPORT_SCHEMA;
	session: {
		id: string;
		number: string;
		status: SessionStatus;
		startedAt: number;
		endedAt: number | null;
		endedBy: string | null;
		endReason: EndReason | null;
	};
	participants: ReportParticipant[];
	control: ControlStep[];
	queueWaits: QueueWait[];
	transcript: TranscriptLine[];
	files: ReportFile[];
	recordings: Pick<RecordingView, 'recordingId' | 'startedAt' | 'endedAt' | 'duration' | 'status'>[];
	invitations: ReportInvitation[];
	surveys: ReportSurvey[];
}

export interface SurveyAnswer {
	rating: number;
	comment: string;
}

export class Reports {
	readonly #deps: { db: Database; sessions: SessionService; chat: Chat; recordings: Recordings };

	constructor(deps: { db: Database; sessions: SessionService; chat: Chat; recordings: Recordings }) {
		this.#deps = deps;
	}

	history(rep: RepRow, input: z.output<typeof historyPage>): Promise<HistoryPage> {
		return sessionHistory(this.#deps.db, { id: rep.id, isAdmin: rep.isAdmin }, input);
	}

	/** The survey's averages over a filter (SPEC §10): per rep and queue for an administrator. */
	ratings(rep: RepRow, filter: HistoryFilter): Promise<SurveyAverages> {
		return surveyAverages(this.#deps.db, { id: rep.id, isAdmin: rep.isAdmin }, filter);
	}

	/** What the history's filters offer: every rep (an administrator's) and every queue, removed ones too. */
	async filterChoices(rep: RepRow): Promise<{ reps: { id: string; name: string }[]; queues: { id: string; name: string }[] }> {
		const { db } = this.#deps;
		const everyRep = rep.isAdmin ? await db.select({ id: reps.id, name: reps.name }).from(reps).orderBy(asc(reps.name)) : [];
		const everyQueue = await db.select({ id: queues.id, name: queues.name }).from(queues).orderBy(asc(queues.name));
		return { reps: everyRep, queues: everyQueue };
	}

	/** Every session of the filter, for an export (newest first). */
	everySession(rep: RepRow, filter: HistoryFilter): AsyncGenerator<HistoryRow> {
		return everySession(this.#deps.db, { id: rep.id, isAdmin: rep.isAdmin }, filter);
	}

	async report(rep: RepRow, sessionId: string, language: Language): Promise<SessionReport> {
		const { db, sessions, chat, recordings } = this.#deps;
		await mayReadReport(db, rep, sessionId);
		const state = (await sessions.state(sessionId))!;
		const rows = await eventsOf(db, 'session', sessionId);
		const events = rows.map((r) => r.payload as SessionEvent);
		const queueNames = new Map((await db.select({ id: queues.id, name: queues.name }).from(queues)).map((q) => [q.id, q.name]));
		const repIds = [...new Set(events.flatMap(repIdsIn))];
		const repNames = new Map(
			repIds.length
				? (await db.select({ id: reps.id, name: reps.name }).from(reps).where(inArray(reps.id, repIds))).map((r) => [r.id, r.name])
				: [],
		);
		const story = sessionStory(events, {
			queue: (id) => (id ? (queueNames.get(id) ?? id) : null),
			rep: (id) => repNames.get(id) ?? id,
		});
		const nameOf = (participantId: string | null) => story.participants.find((p) => p.id === participantId)?.name ?? '';

		const lines = await chat.transcript(sessionId, { kind: 'rep', repId: rep.id });
		const transcript = lines.flatMap((l): TranscriptLine[] => {
			const chatLine = l.type === 'chat.posted';
			const text = chatLine ? (l.text ?? '') : lineText(l, language);
			return text ? [{ id: l.id, at: l.at, kind: chatLine ? 'chat' : 'system', who: chatLine ? l.who : null, text }] : [];
		});

		const files = (
			await db.select().from(sessionFiles).where(eq(sessionFiles.sessionId, sessionId)).orderBy(asc(sessionFiles.offeredAt))
		).map((f): ReportFile => ({
			id: f.id,
			name: f.name,
			size: f.size,
			mediaType: f.mediaType,
			sha256: f.sha256,
			sender: nameOf(f.senderParticipantId),
			status: f.status,
			offeredAt: f.offeredAt.getTime(),
			completedAt: f.completedAt?.getTime() ?? null,
			download: f.status === 'complete' ? downloadUrlOf(f.id) : null,
		}));

		const invited = await db.select().from(invitations).where(eq(invitations.sessionId, sessionId)).orderBy(asc(invitations.createdAt));
		const time = (d: Date | null) => d?.getTime() ?? null;
		const answered = await db.select().from(surveys).where(eq(surveys.sessionId, sessionId)).orderBy(asc(surveys.answeredAt));

		return {
			schema: REPORT_SCHEMA,
			session: {
				id: state.id,
				number: state.number,
				status: state.status,
				startedAt: state.startedAt,
				endedAt: state.endedAt,
				endedBy: story.endedBy,
				endReason: story.endReason,
			},
			participants: story.participants,
			control: story.control,
			queueWaits: story.queueWaits,
			transcript,
			files,
			recordings: (await recordings.list(rep, sessionId)).map(({ recordingId, startedAt, endedAt, duration, status }) => ({
				recordingId,
				startedAt,
				endedAt,
				duration,
				status,
			})),
			invitations: invited.map((i) => ({
				via: i.via,
				role: i.role,
				recipient: i.recipient,
				createdBy: i.createdByRepId ? (repNames.get(i.createdByRepId) ?? null) : null,
				createdAt: i.createdAt.getTime(),
				expiresAt: i.expiresAt.getTime(),
				sentAt: time(i.sentAt),
				sendError: i.sendError,
				revokedAt: time(i.revokedAt),
			})),
			surveys: answered.map((s) => ({
				customer: nameOf(s.participantId),
				rating: s.rating,
				comment: s.comment,
				answeredAt: s.answeredAt.getTime(),
			})),
		};
	}

	/** The customer rates the session on its closing screen (SPEC §10): once, 1–5, a comment of ≤ 1,000 characters. */
	async answerSurvey(actor: ActorRef, sessionId: string, answer: SurveyAnswer): Promise<{ ok: true }> {
		await this.#deps.sessions.command(sessionId, actor, { type: 'answerSurvey', rating: answer.rating, comment: answer.comment });
		return { ok: true };
	}
}

/** The reps an event names (offers, agents chosen, the controller): the report shows their names. */
function repIdsIn(e: SessionEvent): string[] {
	switch (e.type) {
		case 'session.started':
		case 'session.accepted':
			return e.controller.repId ? [e.controller.repId] : [];
		case 'session.handedOver':
			return e.handover.agents ?? [];
		case 'offer.made':
			return e.offers.map((o) => o.repId);
		case 'offer.declined':
		case 'offer.expired':
			return [e.repId];
		default:
			return [];
	}
}
