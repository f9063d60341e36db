// Runs session commands: finds the session, serialises the command with others touching the same
// session or reps (in-process mutex + PostgreSQL advisory locks), asks `decide`, appends the events
// and publishes them on the bus once committed.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ne, sql } from 'drizzle-orm';
import { supportSessions, type Database } from '@tandem/db';
import { Bus } from '../feed/bus.ts';
import { refuse, TandemError } from '../refusal.ts';
import { decide, participantOf } from '../session/decide.ts';
import type { Actor, Command, DecideContext, Invitation, InvitationChannel, InvitedRole, SessionState } from '../session/model.ts';
import { generateSessionNumber, parseSessionNumber } from '../session/sessionNumber.ts';
import { KeyedMutex } from './keyedMutex.ts';
import { readRepLoad, readSiteSettings, type Tx } from './repLoad.ts';
import {
	appendEvents,
	customerByTokenHash,
	findLiveSessionByNumber,
	invitationByTokenHash,
	loadSession,
	type EventSecrets,
} from './sessionStore.ts';

/** Who is asking, as the API knows them (the service looks up the rest). */
export type ActorRef =
	{ kind: 'rep'; repId: string } | { kind: 'customer'; participantId: string | null } | { kind: 'anonymous' } | { kind: 'system' };

export interface SessionServiceDeps {
	db: Database;
	dbKind: 'pglite' | 'postgres';
	auditKey: Buffer;
	bus: Bus;
	now?: () => number;
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** An invitation link's token: 256 random bits, base64url (43 characters). */
const newLinkToken = (): string => randomBytes(32).toString('base64url');
const isLinkToken = (token: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(token);

export class SessionService {
	private readonly mutex = new KeyedMutex();
	/** The service's clock (a port: tests may move it). */
	readonly now: () => number;

	private readonly deps: SessionServiceDeps;

	constructor(deps: SessionServiceDeps) {
		this.deps = deps;
		this.now = deps.now ?? Date.now;
	}

	/** A rep clicks Start (SPEC §2). */
	async start(repId: string): Promise<SessionState> {
		for (let attempt = 0; ; attempt++) {
			try {
				const sessionId = randomUUID();
				return (
					await this.run(
						null,
						{ kind: 'rep', repId },
						{ type: 'start', sessionId, number: generateSessionNumber(), participantId: randomUUID() },
					)
				).state;
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
		const sessionId = await this.sessionIdForNumber(typedNumber);
		return (await this.run(sessionId, { kind: 'rep', repId }, { type: 'assist', participantId: randomUUID() })).state;
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
		const state = await loadSession(this.deps.db, sessionId);
		return state ? stripHash(state) : null;
	}

	async customerFromToken(token: string): Promise<{ participantId: string; sessionId: string } | null> {
		return customerByTokenHash(this.deps.db, hashToken(token));
	}

	async sessionIdForNumber(typed: string): Promise<string> {
		const number = parseSessionNumber(typed);
		if (!number) return refuse('invalidSessionNumber');
		return (await findLiveSessionByNumber(this.deps.db, number)) ?? refuse('sessionNotFound');
	}

	private async run(
		sessionId: string | null,
		actor: ActorRef,
		command: Command,
		secrets: EventSecrets = {},
	): Promise<{ state: SessionState }> {
		const { db } = this.deps;
		// Which reps' limits this command touches: read outside the lock, checked again inside.
		const peek = sessionId ? await loadSession(db, sessionId) : null;
		const repIds = repsTouched(peek, actor, command);
		const keys = [...(sessionId ? [`session:${sessionId}`] : []), ...repIds.map((id) => `rep:${id}`)];

		const result = await this.mutex
			.run(keys, () =>
				db.transaction(async (tx) => {
					if (this.deps.dbKind === 'postgres') {
						for (const key of [...keys].sort()) await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
					}
					const before = sessionId ? await loadSession(tx, sessionId) : null;
					if (sessionId && !before) refuse('sessionNotFound');
					if (before && !sameReps(repIds, repsTouched(before, actor, command))) throw new RetryCommand();
					const decision = decide(before, command, await this.toActor(tx, actor), await this.context(tx, before, command));
					if (!decision.ok) return refuse(decision.refusal.code);
					if (decision.events.length === 0) return { before, state: before!, stored: [] };
					const { state, stored } = await appendEvents(tx, this.deps.auditKey, before, decision.events, actorLabel(actor), secrets);
					return { before, state, stored };
				}),
			)
			.catch((error: unknown) => {
				if (error instanceof RetryCommand) return null;
				throw error;
			});
		if (!result) return this.run(sessionId, actor, command, secrets);

		if (result.stored.length) {
			const before = result.before ? stripHash(result.before) : null;
			this.deps.bus.publish({ sessionId: result.state.id, state: result.state, before, events: result.stored });
		}
		return { state: result.state };
	}

	/** Whether a rep's console has a microphone (the console lifeline knows); set when services are wired. */
	microphoneOf: (repId: string) => boolean | undefined = () => undefined;

	private async toActor(tx: Tx, actor: ActorRef): Promise<Actor> {
		if (actor.kind !== 'rep') return actor;
		const rep = await readRepLoad(tx, actor.repId, this.microphoneOf(actor.repId));
		if (!rep) return refuse('notSignedIn');
		return { kind: 'rep', rep };
	}

	private async context(tx: Tx, state: SessionState | null, command: Command): Promise<DecideContext> {
		const ctx: DecideContext = { now: this.now() };
		if (!state) return ctx;
		const controllerRepId = state.participants.find((p) => p.id === state.controllerId)?.repId;
		if (command.type === 'joinAsCustomer' && controllerRepId) {
			ctx.controllerLoad = (await readRepLoad(tx, controllerRepId)) ?? undefined;
		}
		if (command.type === 'transferControl') {
			const target = state.participants.find((p) => p.id === command.to);
			if (target?.repId) ctx.targetLoad = (await readRepLoad(tx, target.repId, this.microphoneOf(target.repId))) ?? undefined;
		}
		return ctx;
	}
}

class RetryCommand extends Error {}

function repsTouched(state: SessionState | null, actor: ActorRef, command: Command): string[] {
	const ids = new Set<string>();
	if (actor.kind === 'rep') ids.add(actor.repId);
	if (state) {
		const controllerRepId = state.participants.find((p) => p.id === state.controllerId)?.repId;
		if (controllerRepId && command.type === 'joinAsCustomer') ids.add(controllerRepId);
		if (command.type === 'transferControl') {
			const target = state.participants.find((p) => p.id === command.to)?.repId;
			if (target) ids.add(target);
		}
	}
	return [...ids].sort();
}

const sameReps = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function actorLabel(actor: ActorRef): string {
	switch (actor.kind) {
		case 'rep':
			return `rep:${actor.repId}`;
		case 'customer':
			return `customer:${actor.participantId ?? 'new'}`;
		default:
			return actor.kind;
	}
}

function stripHash(s: SessionState & { lastHash?: string }): SessionState {
	const { lastHash: _ignored, ...state } = s;
	return state;
}

function isUniqueViolation(error: unknown): boolean {
	for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
		if ((e as { code?: string }).code === '23505') return true;
	}
	return false;
}

export { participantOf, TandemError };
