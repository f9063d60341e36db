// Reps' accounts and sign-in: the first admin, sign in with its limits on guessing, login sessions as cookies.

import { createHash, randomBytes } from 'node:crypto';
import { and, count, eq, gt, isNull, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import { loginSessions, reps, signInLocks, type Database } from '@tandem/db';
import { refuse, TandemError } from '../refusal.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { sleepOn, systemClock, type Clock } from '../time/clock.ts';
import type { Tx } from '../service/repLoad.ts';
import type { WebhookEvent } from '../webhooks/webhooks.ts';

export type RepRow = typeof reps.$inferSelect;

export interface RepProfile {
	id: string;
	name: string;
	email: string;
	isAdmin: boolean;
	isRep: boolean;
	isAgent: boolean;
	sessionMode: 'single' | 'multi' | null;
	maxCustomers: number | null;
	/** WebACD: sessions the agent takes at once; null: the site's default. */
	agentCapacity: number | null;
	voiceCalls: boolean;
	language: 'en' | 'sr';
	disabled: boolean;
}

export const profileOf = (r: RepRow): RepProfile => ({
	id: r.id,
	name: r.name,
	email: r.email,
	isAdmin: r.isAdmin,
	isRep: r.isRep,
	isAgent: r.isAgent,
	sessionMode: r.sessionMode,
	maxCustomers: r.maxCustomers,
	agentCapacity: r.agentCapacity,
	voiceCalls: r.voiceCalls,
	language: r.language,
	disabled: r.disabled,
});

export interface NewRep {
	name: string;
	email: string;
	password: string;
	isAdmin?: boolean;
	isRep?: boolean;
	isAgent?: boolean;
	sessionMode?: 'single' | 'multi' | null;
	maxCustomers?: number | null;
	agentCapacity?: number | null;
	voiceCalls?: boolean;
	language?: 'en' | 'sr';
}

/**
 * Two limits on guessing a rep's password (issue "Hold under attack", finding 6). Per account and client
 * address, a lock with back-off: a stranger locks out only themselves. Per account, wherever the guesses come
 * from, a delay before each password is checked: guesses spread over many addresses are slowed, and the owner
 * still gets in after the delay — never a lock the owner cannot pass.
 */
export interface LockoutPolicy {
	/** Wrong passwords from one client before that client is locked out of the account. */
	freeAttempts: number;
	/** That client's first lock; doubles with each further failure (up to 128 times). */
	baseLockSeconds: number;
	/** Wrong passwords on the account (from anywhere, within an hour of each other) before attempts are held. */
	accountFreeFailures?: number;
	/** The first hold; doubles with each further failure up to `accountMaxDelayMs`. */
	accountDelayBaseMs?: number;
	accountMaxDelayMs?: number;
}

const ACCOUNT_FAILURES_FORGOTTEN_MS = 3600 * 1000;

const LOGIN_TTL_MS = 7 * 24 * 3600 * 1000;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export type RepPatch = Partial<Omit<RepProfile, 'id' | 'email'>>;

/** Writes an administrator's change to the one log, in the change's own transaction (SPEC §10: audited). */
export type AdminRecord = (tx: Tx, change: { kind: 'rep' | 'site'; id: string; by: string | null; event: AdminEvent }) => Promise<void>;

/** What an administrator changed, as the log keeps it (never a password or its hash). */
export type AdminEvent =
	| { type: 'rep.created'; at: number; profile: Omit<RepProfile, 'id'> }
	| { type: 'rep.changed'; at: number; changes: RepPatch }
	| { type: 'settings.changed'; at: number; changes: Record<string, unknown> }
	| WebhookEvent;

export class RepAccounts {
	private readonly db: Database;
	private readonly lockout: Required<LockoutPolicy>;
	private readonly clock: Clock;
	private readonly record: AdminRecord;
	private readonly loginsEnded = new Set<(repId: string) => void>();

	constructor(
		db: Database,
		lockout: LockoutPolicy = { freeAttempts: 5, baseLockSeconds: 30 },
		clock: Clock = systemClock,
		record: AdminRecord = async () => {},
	) {
		this.db = db;
		this.lockout = { accountFreeFailures: 10, accountDelayBaseMs: 500, accountMaxDelayMs: 10_000, ...lockout };
		this.clock = clock;
		this.record = record;
	}

	private now(): number {
		return this.clock.now();
	}

	async setupNeeded(): Promise<boolean> {
		const [row] = await this.db.select({ n: count() }).from(reps);
		return (row?.n ?? 0) === 0;
	}

	/** On an empty database, the first account is an admin (and a rep). Refused once any account exists. */
	async createFirstAdmin(input: NewRep): Promise<RepProfile> {
		return this.db.transaction(async (tx) => {
			await tx.execute(sql`lock table ${reps} in exclusive mode`);
			const [row] = await tx.select({ n: count() }).from(reps);
			if ((row?.n ?? 0) > 0) refuse('setupDone');
			const [created] = await tx
				.insert(reps)
				.values({ ...(await this.values(input)), isAdmin: true, isRep: true, isAgent: true })
				.returning();
			await this.recordCreated(tx, created!, null);
			return profileOf(created!);
		});
	}

	private recordCreated(tx: Tx, row: RepRow, by: string | null): Promise<void> {
		const { id, ...profile } = profileOf(row);
		return this.record(tx, { kind: 'rep', id, by, event: { type: 'rep.created', at: this.now(), profile } });
	}

	/** An administrator (`by`) adds an account; the log keeps who and what. */
	async create(input: NewRep, by: string | null = null): Promise<RepProfile> {
		if (!rolesValid({ isAdmin: input.isAdmin ?? false, isRep: input.isRep ?? true, isAgent: input.isAgent ?? false }))
			refuse('invalidRoles');
		const email = input.email.trim().toLowerCase();
		const [existing] = await this.db.select({ id: reps.id }).from(reps).where(eq(reps.email, email));
		if (existing) refuse('emailTaken');
		const values = await this.values(input);
		return this.db.transaction(async (tx) => {
			const [created] = await tx.insert(reps).values(values).returning();
			await this.recordCreated(tx, created!, by);
			return profileOf(created!);
		});
	}

	private async values(input: NewRep): Promise<typeof reps.$inferInsert> {
		return {
			name: input.name.trim(),
			email: input.email.trim().toLowerCase(),
			passwordHash: await hashPassword(input.password),
			isAdmin: input.isAdmin ?? false,
			isRep: input.isRep ?? true,
			isAgent: input.isAgent ?? false,
			sessionMode: input.sessionMode ?? null,
			maxCustomers: input.maxCustomers ?? null,
			agentCapacity: input.agentCapacity ?? null,
			voiceCalls: input.voiceCalls ?? true,
			language: input.language ?? 'en',
		};
	}

	/**
	 * Check the password, mind both limits, and open a login session; returns the cookie's token.
	 * `client` is who is asking (the client address), for the per-client lock.
	 */
	async signIn(emailTyped: string, password: string, client: string): Promise<{ token: string; rep: RepProfile }> {
		const email = emailTyped.trim().toLowerCase();
		const [rep] = await this.db.select().from(reps).where(eq(reps.email, email));
		if (!rep) {
			await verifyPassword(DUMMY_HASH, password); // same cost whether or not the account exists
			return refuse('badCredentials');
		}
		const lockedUntil = await this.countAttempt(rep.id, client);
		await sleepOn(this.clock, this.accountDelay(rep));
		if (!(await verifyPassword(rep.passwordHash, password))) {
			const now = new Date(this.now());
			await this.db
				.update(reps)
				.set({
					failedLogins: sql`case when ${reps.lastFailedLoginAt} > ${new Date(now.getTime() - ACCOUNT_FAILURES_FORGOTTEN_MS)}
						then ${reps.failedLogins} + 1 else 1 end`,
					lastFailedLoginAt: now,
				})
				.where(eq(reps.id, rep.id));
			// The failure that spends this client's free attempts says so at once.
			if (lockedUntil && lockedUntil.getTime() > now.getTime()) throw locked(lockedUntil.getTime() - now.getTime());
			return refuse('badCredentials');
		}
		if (rep.disabled) return refuse('accountDisabled');
		// The owner is in: this client's count starts again. The account's count does not — those failures
		// may be a stranger's, still guessing from elsewhere.
		await this.db.delete(signInLocks).where(and(eq(signInLocks.repId, rep.id), eq(signInLocks.client, client)));
		const token = randomBytes(32).toString('base64url');
		await this.db.insert(loginSessions).values({ id: sha256(token), repId: rep.id, expiresAt: new Date(this.now() + LOGIN_TTL_MS) });
		return { token, rep: profileOf(rep) };
	}

	/**
	 * The attempt is counted before its password is checked, in one statement under the row's lock: guesses
	 * sent at once each get their own count, and a client past its free attempts is refused unchecked.
	 */
	private async countAttempt(repId: string, client: string): Promise<Date | null> {
		const now = this.now();
		const { freeAttempts, baseLockSeconds } = this.lockout;
		const lockAfter = (failures: SQL | number) =>
			sql`case when (${failures})::int >= ${freeAttempts}::int
				then ${new Date(now)}::timestamptz + make_interval(secs => ${baseLockSeconds}::int * power(2, least((${failures})::int - ${freeAttempts}::int, 7)))
				else null end`;
		const [counted] = await this.db
			.insert(signInLocks)
			.values({ repId, client, failures: 1, lockedUntil: lockAfter(1) })
			.onConflictDoUpdate({
				target: [signInLocks.repId, signInLocks.client],
				set: { failures: sql`${signInLocks.failures} + 1`, lockedUntil: lockAfter(sql`${signInLocks.failures} + 1`) },
				setWhere: or(isNull(signInLocks.lockedUntil), lte(signInLocks.lockedUntil, new Date(now))),
			})
			.returning({ lockedUntil: signInLocks.lockedUntil });
		if (counted) return counted.lockedUntil;
		const [still] = await this.db
			.select({ lockedUntil: signInLocks.lockedUntil })
			.from(signInLocks)
			.where(and(eq(signInLocks.repId, repId), eq(signInLocks.client, client)));
		throw locked(Math.max((still?.lockedUntil?.getTime() ?? now) - now, 1000));
	}

	/** How long an attempt on this account is held before its password is checked. */
	private accountDelay(rep: RepRow): number {
		const { accountFreeFailures, accountDelayBaseMs, accountMaxDelayMs } = this.lockout;
		const recent = rep.lastFailedLoginAt && this.now() - rep.lastFailedLoginAt.getTime() < ACCOUNT_FAILURES_FORGOTTEN_MS;
		if (!recent || rep.failedLogins < accountFreeFailures) return 0;
		return Math.min(accountMaxDelayMs, accountDelayBaseMs * 2 ** Math.min(rep.failedLogins - accountFreeFailures, 20));
	}

	async repForToken(token: string | null | undefined): Promise<RepRow | null> {
		if (!token) return null;
		const [row] = await this.db
			.select({ rep: reps })
			.from(loginSessions)
			.innerJoin(reps, eq(loginSessions.repId, reps.id))
			.where(and(eq(loginSessions.id, sha256(token)), gt(loginSessions.expiresAt, new Date(this.now()))));
		if (!row || row.rep.disabled) return null;
		return row.rep;
	}

	async signOut(token: string | null | undefined): Promise<void> {
		if (token) await this.db.delete(loginSessions).where(eq(loginSessions.id, sha256(token)));
	}

	async list(): Promise<RepProfile[]> {
		return (await this.db.select().from(reps).orderBy(reps.name)).map(profileOf);
	}

	/**
	 * An administrator edits an account (SPEC §10), or a rep their own language. Refused, changing
	 * nothing: an unknown account, an account with no role (or an agent who is not a rep), and any change
	 * that would leave the site without an enabled administrator. Disabling ends the rep's logins at once.
	 */
	async update(id: string, changes: RepPatch, by: string | null = id): Promise<RepProfile> {
		const patch = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as RepPatch;
		const row = await this.db.transaction(async (tx) => {
			const mayRemoveAdmin = patch.isAdmin === false || patch.disabled === true;
			// Two admins demoting each other at once must not both see the other one remain.
			if (mayRemoveAdmin) await tx.execute(sql`lock table ${reps} in share row exclusive mode`);
			const [current] = await tx.select().from(reps).where(eq(reps.id, id));
			if (!current) return refuse('repNotFound');
			const next = { ...current, ...patch };
			if (!rolesValid(next)) refuse('invalidRoles');
			if (Object.keys(patch).length === 0) return current;
			if (mayRemoveAdmin && current.isAdmin && !current.disabled && !(next.isAdmin && !next.disabled)) {
				const [others] = await tx
					.select({ n: count() })
					.from(reps)
					.where(and(eq(reps.isAdmin, true), eq(reps.disabled, false), ne(reps.id, id)));
				if ((others?.n ?? 0) === 0) refuse('lastAdmin');
			}
			const [updated] = await tx.update(reps).set(patch).where(eq(reps.id, id)).returning();
			await this.record(tx, { kind: 'rep', id, by, event: { type: 'rep.changed', at: this.now(), changes: patch } });
			// A disabled rep's logins end at once: every cookie of theirs stops working.
			if (patch.disabled) await tx.delete(loginSessions).where(eq(loginSessions.repId, id));
			return updated!;
		});
		if (patch.disabled) for (const listener of this.loginsEnded) listener(id);
		return profileOf(row);
	}

	/** Tells open feeds that a rep's logins have ended (they close, and the console shows sign-in). */
	onLoginsEnded(listener: (repId: string) => void): () => void {
		this.loginsEnded.add(listener);
		return () => this.loginsEnded.delete(listener);
	}
}

/** Every account has a role; a WebACD agent is a rep with the agent privilege (SPEC §1). */
const rolesValid = (r: { isAdmin: boolean; isRep: boolean; isAgent: boolean }): boolean =>
	(r.isAdmin || r.isRep) && (!r.isAgent || r.isRep);

/** The account is locked: say for how long, in whole minutes (at least 1). */
const locked = (waitMs: number): TandemError =>
	new TandemError('accountLocked', undefined, { minutes: Math.max(1, Math.ceil(waitMs / 60_000)) });

// argon2id hash of a random string, so unknown accounts cost as much as known ones.
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Q3n2pD6v2m3ZK0m0rQh6JtLq5m5o8mS4m7N1k3yV2lQ';
