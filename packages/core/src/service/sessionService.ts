// Session commands as the API asks for them: finds the session (by number, link or id), runs the command
// through the one command runner (sessionAggregate.ts says what each command needs), and publishes what
// was committed on the bus for the feeds.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ne } from 'drizzle-orm';
import { supportSessions, type Database } from '@tandem/db';
import { CommandRunner, type Committed } from '../aggregate/runner.ts';
import { Bus } from '../feed/bus.ts';
import { refuse, TandemError } from '../refusal.ts';
import { participantOf } from '../session/decide.ts';
import type { Command, Invitation, InvitationChannel, InvitedRole, SessionEvent, SessionState } from '../session/model.ts';
import { generateSessionNumber, parseSessionNumber, type SessionNumber } from '../session/sessionNumber.ts';
import { systemClock, type Clock } from '../time/clock.ts';
import { readSiteSettings } from './repLoad.ts';
import { sessionAggregate, type ActorRef } from './sessionAggregate.ts';
import {
	customerByTokenHash,
	findLiveSessionByNumber,
	invitationByTokenHash,
	loadSession,
	numberEndedSince,
	type EventSecrets,
} from './sessionStore.ts';

export type { ActorRef };

export interface SessionServiceDeps {
	db: Database;
	bus: Bus;
	runner: CommandRunner;
	clock?: Clock;
	/** Draws a new session number (random; a test may say which). */
	drawNumber?: () => SessionNumber;
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** An invitation link's token: 256 random bits, base64url (43 characters). */
const newLinkToken = (): string => randomBytes(32).toString('base64url');
const isLinkToken = (token: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(token);

export class SessionService {
	/** The service's clock (a port: tests may move it). */
	readonly clock: Clock;

	private readonly deps: SessionServiceDeps;

	constructor(deps: SessionServiceDeps) {
		this.deps = deps;
		this.clock = deps.clock ?? systemClock;
	}

	now(): number {
		return this.clock.now();
	}

	/** A rep clicks Start (SPEC §2). */
	async start(repId: string): Promise<SessionState> {
		for (let attempt = 0; ; attempt++) {
			try {
				const sessionId = randomUUID();
				const number = (this.deps.drawNumber ?? generateSessionNumber)();
				// A number whose session ended lately still means "ended" to whoever has it (SPEC §2): not given out.
				if (attempt < 5 && (await numberEndedSince(this.deps.db, number, this.numberReuseFrom()))) continue;
				return (await this.run(null, { kind: 'rep', repId }, { type: 'start', sessionId, number, participantId: randomUUID() })).state;
			} catch (error) {
				// A number already live elsewhere: draw again (the partial unique index decides).
				if (attempt < 5 && isUniqueViolation(error)) continue;
				throw error;
			}
		}
	}

	/** A customer joins by the number they were given (SPEC §4). */
	async joinByNumber(typedNumber: string, name: string): Promise<{ state: SessionState; participantId: string; token: string }> {
		const sessionId = await this.sessionIdForNumber(typedNumber);
		const participantId = randomUUID();
		const token = randomBytes(32).toString('base64url');
		const { state } = await this.run(
			sessionId,
			{ kind: 'anonymous' },
			{ type: 'joinAsCustomer', participantId, name },
			{ customerTokenHash: hashToken(token) },
		);
		return { state, participantId, token };
	}

	/**
	 * Get help (SPEC §8): a customer with no number asks in a queue; a session starts that waits there with
	 * them in it (the browser keeps the participant token, as after a join).
	 */
	async requestHelp(request: {
		queueId: string;
		name: string;
		problem: string;
		email: string | null;
	}): Promise<{ state: SessionState; participantId: string; token: string }> {
		for (let attempt = 0; ; attempt++) {
			const sessionId = randomUUID();
			const participantId = randomUUID();
			const token = randomBytes(32).toString('base64url');
			const number = (this.deps.drawNumber ?? generateSessionNumber)();
			try {
				if (attempt < 5 && (await numberEndedSince(this.deps.db, number, this.numberReuseFrom()))) continue;
				const { state } = await this.run(
					null,
					{ kind: 'anonymous' },
					{ type: 'requestHelp', sessionId, number, participantId, ...request },
					{ customerTokenHash: hashToken(token) },
				);
				return { state, participantId, token };
			} catch (error) {
				if (attempt < 5 && isUniqueViolation(error)) continue;
				throw error;
			}
		}
	}

	/** An agent accepts an offer (SPEC §8): they join in control. */
	async acceptOffer(repId: string, sessionId: string, offerId: string): Promise<SessionState> {
		return (await this.run(sessionId, { kind: 'rep', repId }, { type: 'acceptOffer', offerId, participantId: randomUUID() })).state;
	}

	/** Transfer session (SPEC §7): the controlling agent hands it to a queue or to agents, and leaves. */
	async transferSession(
		repId: string,
		sessionId: string,
		target: { queueId: string | null; agents: string[]; message: string },
	): Promise<SessionState> {
		return (await this.run(sessionId, { kind: 'rep', repId }, { type: 'transferSession', ...target })).state;
	}

	async declineOffer(repId: string, sessionId: string, offerId: string): Promise<SessionState> {
		return (await this.run(sessionId, { kind: 'rep', repId }, { type: 'declineOffer', offerId })).state;
	}

	// ---------------------------------------------------------------- invitations (SPEC §3)

	/**
	 * The controlling rep invites: a new invitation with a fresh link token (256 random bits, only its
	 * hash is kept), expiring after the site's invitation expiry.
	 */
	async createInvitation(
		sessionId: string,
		repId: string,
		what: { role: InvitedRole; via: InvitationChannel; recipient: string | null },
	): Promise<{ state: SessionState; invitation: Invitation; token: string }> {
		const invitationId = randomUUID();
		const token = newLinkToken();
		const hours = (await readSiteSettings(this.deps.db)).invitationExpiryHours;
		const { state } = await this.run(
			sessionId,
			{ kind: 'rep', repId },
			{ type: 'createInvitation', invitationId, ...what, validForMs: hours * 3600_000 },
			{ invitationTokenHash: hashToken(token) },
		);
		return { state, invitation: state.invitations.find((i) => i.id === invitationId)!, token };
	}

	/** What became of Tandem's e-mail for an invitation (null error: sent). */
	async recordInvitationMail(sessionId: string, invitationId: string, error: string | null): Promise<SessionState> {
		return (await this.run(sessionId, { kind: 'system' }, { type: 'recordInvitationMail', invitationId, error })).state;
	}

	async revokeInvitation(sessionId: string, repId: string, invitationId: string): Promise<SessionState> {
		return (await this.run(sessionId, { kind: 'rep', repId }, { type: 'revokeInvitation', invitationId })).state;
	}

	/** The invitation and session of a link's token; a token of no invitation is refused. */
	async invitationForToken(token: string): Promise<{ invitationId: string; sessionId: string; state: SessionState }> {
		const found = isLinkToken(token) ? await invitationByTokenHash(this.deps.db, hashToken(token)) : null;
		const state = found ? await this.state(found.sessionId) : null;
		if (!found || !state) return refuse('invitationNotFound');
		return { ...found, state };
	}

	/** A customer joins by an invitation link and their name (SPEC §3, §4). */
	async joinByInvitation(token: string, name: string): Promise<{ state: SessionState; participantId: string; token: string }> {
		const { sessionId, invitationId } = await this.invitationForToken(token);
		const participantId = randomUUID();
		const participantToken = randomBytes(32).toString('base64url');
		const { state } = await this.run(
			sessionId,
			{ kind: 'anonymous' },
			{ type: 'joinAsCustomer', participantId, name, invitationId },
			{ customerTokenHash: hashToken(participantToken) },
		);
		return { state, participantId, token: participantToken };
	}

	/** A signed-in rep opens a rep invitation link: they join as an assistant (SPEC §3). */
	async assistByInvitation(repId: string, token: string): Promise<SessionState> {
		const { sessionId, invitationId } = await this.invitationForToken(token);
		return (await this.run(sessionId, { kind: 'rep', repId }, { type: 'assist', participantId: randomUUID(), invitationId })).state;
	}

	/** A rep assists a session by its number (SPEC §4): they join with no control. */
	async assist(repId: string, typedNumber: string): Promise<SessionState> {
		// An unknown number is for the rules to refuse: who may assist at all is asked first.
		const sessionId = await this.liveSessionFor(typedNumber);
		return (await this.run(sessionId, { kind: 'rep', repId }, { type: 'assist', participantId: randomUUID() })).state;
	}

	/** Refuses the command as the rules would now, changing nothing (the runner's dry run). */
	async check(sessionId: string, actor: ActorRef, command: Command): Promise<void> {
		await this.deps.runner.check(sessionAggregate, sessionId, actor, command);
	}

	async command(sessionId: string, actor: ActorRef, command: Command): Promise<SessionState> {
		return (await this.run(sessionId, actor, command)).state;
	}

	/** Sessions that are not over (for the media plane's restart). */
	async liveSessionIds(): Promise<string[]> {
		const rows = await this.deps.db.select({ id: supportSessions.id }).from(supportSessions).where(ne(supportSessions.status, 'ended'));
		return rows.map((r) => r.id);
	}

	async state(sessionId: string): Promise<SessionState | null> {
		return loadSession(this.deps.db, sessionId);
	}

	async customerFromToken(token: string): Promise<{ participantId: string; sessionId: string } | null> {
		return customerByTokenHash(this.deps.db, hashToken(token));
	}

	async sessionIdForNumber(typed: string): Promise<string> {
		return (await this.liveSessionFor(typed)) ?? refuse('sessionNotFound');
	}

	/**
	 * A typed number's live session, or null (the rules then say why: no such session, or the caller may not).
	 * A number whose session ended within the last 7 days is refused as ended — not a wrong guess (SPEC §2, §11).
	 */
	async liveSessionFor(typed: string): Promise<string | null> {
		const number = parseSessionNumber(typed);
		if (!number) return refuse('invalidSessionNumber');
		const live = await findLiveSessionByNumber(this.deps.db, number);
		if (!live && (await numberEndedSince(this.deps.db, number, this.numberReuseFrom()))) return refuse('sessionEnded');
		return live;
	}

	/** Sessions that ended since this time keep their numbers (SPEC §2: 7 days). */
	private numberReuseFrom(): Date {
		return new Date(this.clock.now() - NUMBER_KEPT_MS);
	}

	private async run(
		sessionId: string | null,
		actor: ActorRef,
		command: Command,
		secrets: EventSecrets = {},
	): Promise<{ state: SessionState }> {
		const committed = await this.deps.runner.run(sessionAggregate, sessionId, actor, command, secrets);
		if (committed.changed) this.publish(committed);
		return { state: committed.state };
	}

	private publish(committed: Committed<SessionState, SessionEvent>): void {
		this.deps.bus.publish({
			sessionId: committed.id,
			state: committed.state,
			before: committed.before,
			events: committed.events.map((e) => ({ id: e.id, sessionId: e.aggregateId, seq: e.seq, event: e.event })),
		});
	}
}

/** How long an ended session's number is kept from being given out again (SPEC §2). */
const NUMBER_KEPT_MS = 7 * 24 * 3600 * 1000;

function isUniqueViolation(error: unknown): boolean {
	for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
		if ((e as { code?: string }).code === '23505') return true;
	}
	return false;
}

export { participantOf, TandemError };
