// The tables of Tandem. Every aggregate is recorded as events in the one log (`events`); `support_sessions`,
// `participants` and `invitations` are projections of a session's events kept for queries (limits, numbers,
// tokens). Presence, timers, leases and effect cursors let several nodes share the work.

import { sql } from 'drizzle-orm';
import {
	bigint,
	bigserial,
	boolean,
	index,
	integer,
	jsonb,
	pgTable,
	primaryKey,
	text,
	timestamp,
	uniqueIndex,
	uuid,
} from 'drizzle-orm/pg-core';

export const reps = pgTable('reps', {
	id: uuid('id').primaryKey().defaultRandom(),
	email: text('email').notNull().unique(),
	name: text('name').notNull(),
	passwordHash: text('password_hash').notNull(),
	isAdmin: boolean('is_admin').notNull().default(false),
	isRep: boolean('is_rep').notNull().default(true),
	isAgent: boolean('is_agent').notNull().default(false),
	/** null: the site's default session mode. */
	sessionMode: text('session_mode', { enum: ['single', 'multi'] }),
	/** null: the site's maximum customers per rep. */
	maxCustomers: integer('max_customers'),
	/** WebACD agents: sessions they take at once (SPEC §8); null: the site's default. */
	agentCapacity: integer('agent_capacity'),
	voiceCalls: boolean('voice_calls').notNull().default(true),
	language: text('language', { enum: ['en', 'sr'] })
		.notNull()
		.default('en'),
	disabled: boolean('disabled').notNull().default(false),
	/** Wrong passwords on the account from anywhere, forgotten an hour after the last: they hold every attempt. */
	failedLogins: integer('failed_logins').notNull().default(0),
	lastFailedLoginAt: timestamp('last_failed_login_at', { withTimezone: true }),
	createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const loginSessions = pgTable(
	'login_sessions',
	{
		/** sha-256 of the cookie's token; the token itself is never stored. */
		id: text('id').primaryKey(),
		repId: uuid('rep_id')
			.notNull()
			.references(() => reps.id, { onDelete: 'cascade' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
	},
	(t) => [index('login_sessions_rep_idx').on(t.repId)],
);

/** Wrong passwords per account and client address: that client, not the account's owner, is locked out. */
export const signInLocks = pgTable(
	'sign_in_locks',
	{
		repId: uuid('rep_id')
			.notNull()
			.references(() => reps.id, { onDelete: 'cascade' }),
		client: text('client').notNull(),
		failures: integer('failures').notNull().default(0),
		lockedUntil: timestamp('locked_until', { withTimezone: true }),
	},
	(t) => [primaryKey({ columns: [t.repId, t.client] })],
);

export const siteSettings = pgTable('site_settings', {
	id: integer('id').primaryKey().default(1),
	maxCustomersPerRep: integer('max_customers_per_rep').notNull().default(5),
	maxSessionsPerRep: integer('max_sessions_per_rep').notNull().default(4),
	defaultSessionMode: text('default_session_mode', { enum: ['single', 'multi'] })
		.notNull()
		.default('multi'),
	gracePeriodSeconds: integer('grace_period_seconds').notNull().default(30),
	invitationExpiryHours: integer('invitation_expiry_hours').notNull().default(24),
	fileSizeLimitMb: integer('file_size_limit_mb').notNull().default(100),
	/** How long a transferred file is kept after it arrived (SPEC §9, §10), then its bytes are removed. */
	fileRetentionDays: integer('file_retention_days').notNull().default(30),
	/** WebACD (SPEC §8): sessions an agent takes at once unless their own is set. */
	agentCapacity: integer('agent_capacity').notNull().default(1),
	/** How long an offer waits for Accept before it expires (SPEC §8). */
	offerTimeoutSeconds: integer('offer_timeout_seconds').notNull().default(30),
	/** Where a transfer to chosen agents waits when none accepted twice (SPEC §7); null: the first queue made. */
	fallbackQueueId: uuid('fallback_queue_id'),
	updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const supportSessions = pgTable(
	'support_sessions',
	{
		id: uuid('id').primaryKey(),
		number: text('number').notNull(),
		status: text('status', { enum: ['live', 'waiting', 'ended'] }).notNull(),
		controllerRepId: uuid('controller_rep_id').references(() => reps.id),
		customerCount: integer('customer_count').notNull().default(0),
		/** While it waits for an agent (SPEC §7, §8): the queue it waits in (null: offered to chosen agents). */
		waitingQueueId: uuid('waiting_queue_id'),
		/** The session's state after its last event (a snapshot of `evolve`). */
		state: jsonb('state').notNull(),
		version: integer('version').notNull(),
		startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
		endedAt: timestamp('ended_at', { withTimezone: true }),
	},
	(t) => [
		// A number is unique among sessions that are not over; ended sessions free theirs.
		uniqueIndex('support_sessions_live_number')
			.on(t.number)
			.where(sql`${t.status} <> 'ended'`),
		index('support_sessions_controller_idx').on(t.controllerRepId),
		// Numbers of sessions that ended lately are asked for (not given out again for 7 days, SPEC §2).
		index('support_sessions_number_ended_idx').on(t.number, t.endedAt),
		index('support_sessions_waiting_idx')
			.on(t.waitingQueueId)
			.where(sql`${t.status} = 'waiting'`),
		// The history (SPEC §10) pages newest first by (started_at, id): read backwards, as `order by … desc` asks.
		index('support_sessions_started_idx').on(t.startedAt, t.id),
	],
);

/** The queues a session waited in (SPEC §7, §8), for the history's queue filter and averages (§10). */
export const sessionQueues = pgTable(
	'session_queues',
	{
		sessionId: uuid('session_id')
			.notNull()
			.references(() => supportSessions.id),
		queueId: uuid('queue_id').notNull(),
	},
	(t) => [primaryKey({ columns: [t.sessionId, t.queueId] }), index('session_queues_queue_idx').on(t.queueId)],
);

/** Post-session surveys (SPEC §10), a projection of the `survey.answered` events: one per customer per session. */
export const surveys = pgTable(
	'surveys',
	{
		participantId: uuid('participant_id').primaryKey(),
		sessionId: uuid('session_id')
			.notNull()
			.references(() => supportSessions.id),
		rating: integer('rating').notNull(),
		comment: text('comment').notNull().default(''),
		answeredAt: timestamp('answered_at', { withTimezone: true }).notNull(),
		/** The reps who took part and the queues it waited in (all known once it has ended): the averages by rep and queue read no join. */
		repIds: uuid('rep_ids')
			.array()
			.notNull()
			.default(sql`'{}'::uuid[]`),
		queueIds: uuid('queue_ids')
			.array()
			.notNull()
			.default(sql`'{}'::uuid[]`),
	},
	(t) => [index('surveys_session_idx').on(t.sessionId)],
);

/**
 * Outbound webhooks (SPEC §10 event export): each gets every event of the log after its registration, in
 * order, signed with its own secret; its cursor is the effect cursor `webhook:<id>`.
 */
export const webhooks = pgTable('webhooks', {
	id: uuid('id').primaryKey(),
	url: text('url').notNull(),
	/** The signing secret (shown to the admin once, at registration). */
	secret: text('secret').notNull(),
	status: text('status', { enum: ['active', 'failed', 'removed'] })
		.notNull()
		.default('active'),
	createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
	createdByRepId: uuid('created_by_rep_id').references(() => reps.id),
	/** The first failure of the current run of failures; null while deliveries succeed. */
	failingSince: timestamp('failing_since', { withTimezone: true }),
	attempts: integer('attempts').notNull().default(0),
	nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
	lastError: text('last_error'),
	lastDeliveredAt: timestamp('last_delivered_at', { withTimezone: true }),
});

/** WebACD queues (SPEC §8), a projection of the `queue.*` events. */
export const queues = pgTable('queues', {
	id: uuid('id').primaryKey(),
	name: text('name').notNull(),
	removed: boolean('removed').notNull().default(false),
	createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
	/** The queue's state after its last event (a snapshot of its `evolve`). */
	state: jsonb('state').notNull(),
	version: integer('version').notNull(),
});

/** WebACD agents' chosen state (SPEC §8), a projection of the `agent.*` events; one row per agent who has one. */
export const agents = pgTable('agents', {
	repId: uuid('rep_id')
		.primaryKey()
		.references(() => reps.id, { onDelete: 'cascade' }),
	/** The agent's state after its last event. */
	state: jsonb('state').notNull(),
	version: integer('version').notNull(),
});

export const participants = pgTable(
	'participants',
	{
		id: uuid('id').primaryKey(),
		sessionId: uuid('session_id')
			.notNull()
			.references(() => supportSessions.id),
		repId: uuid('rep_id').references(() => reps.id),
		name: text('name').notNull(),
		role: text('role', { enum: ['controller', 'assistant', 'customer'] }).notNull(),
		/** Customers only: sha-256 of the participant token kept in their HttpOnly cookie. */
		tokenHash: text('token_hash').unique(),
		joinedAt: timestamp('joined_at', { withTimezone: true }).notNull(),
		leftAt: timestamp('left_at', { withTimezone: true }),
	},
	(t) => [index('participants_session_idx').on(t.sessionId), index('participants_rep_idx').on(t.repId)],
);

/** The kinds of aggregate whose events the log holds. */
export const aggregateKinds = ['session', 'queue', 'agent', 'rep', 'site'] as const;
export type AggregateKind = (typeof aggregateKinds)[number];

/**
 * The one event log of every aggregate (ARCHITECTURE principle 3): append-only; each aggregate's events
 * numbered 1, 2, 3… and HMAC-chained to the previous one. Ids are handed out under a lock held to commit,
 * so they are committed in order and a reader that saw id n has seen every id below it.
 */
export const events = pgTable(
	'events',
	{
		/** Global, increasing in commit order: the feed's and the effects' resume point. */
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		aggregateKind: text('aggregate_kind', { enum: aggregateKinds }).notNull(),
		aggregateId: text('aggregate_id').notNull(),
		/** 1, 2, 3… within the aggregate. */
		seq: integer('seq').notNull(),
		type: text('type').notNull(),
		payload: jsonb('payload').notNull(),
		/** Who caused it: `rep:<id>`, `customer:<participant id>`, `system`. */
		actor: text('actor').notNull(),
		at: timestamp('at', { withTimezone: true }).notNull(),
		/** HMAC of this row chained to the previous row of the same aggregate. */
		prevHash: text('prev_hash').notNull(),
		hash: text('hash').notNull(),
	},
	(t) => [uniqueIndex('events_aggregate_seq').on(t.aggregateKind, t.aggregateId, t.seq)],
);

/** Where each effect (a durable consumer of the event log) has got to. */
export const effectCursors = pgTable('effect_cursors', {
	name: text('name').primaryKey(),
	/** The id of the last event it has dealt with. */
	position: bigint('position', { mode: 'number' }).notNull().default(0),
	updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Which node runs a piece of work that must run on exactly one (an effect, the timers), until when. */
export const leases = pgTable('leases', {
	name: text('name').primaryKey(),
	holder: text('holder').notNull(),
	expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

/**
 * Reps' consoles (SPEC §2), for every node to read: whether each one's feed is connected (and on which
 * node), when it was last heard of, whether it has a microphone, and whether it said goodbye.
 */
export const consoles = pgTable(
	'consoles',
	{
		/** The console page's own id. */
		id: text('id').primaryKey(),
		repId: uuid('rep_id')
			.notNull()
			.references(() => reps.id, { onDelete: 'cascade' }),
		/** The node its feed is connected to. */
		nodeId: text('node_id').notNull(),
		connected: boolean('connected').notNull(),
		microphone: boolean('microphone').notNull().default(false),
		/** The page said goodbye as it unloaded. */
		leaving: boolean('leaving').notNull().default(false),
		lastSeen: timestamp('last_seen', { withTimezone: true }).notNull(),
	},
	(t) => [index('consoles_rep_idx').on(t.repId)],
);

/** Deadlines that must fire once across nodes (a lost console's grace period, later queue offers). */
export const timers = pgTable(
	'timers',
	{
		/** What it is for, e.g. `console:<rep id>`: one timer per key, a new one replaces the old. */
		key: text('key').primaryKey(),
		kind: text('kind').notNull(),
		payload: jsonb('payload').notNull(),
		dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
		/** The node that took it to fire, and when (a claim left by a node that died is taken again). */
		claimedBy: text('claimed_by'),
		claimedAt: timestamp('claimed_at', { withTimezone: true }),
	},
	(t) => [index('timers_due_idx').on(t.dueAt)],
);

/** Invitation links (SPEC §3), a projection of the `invitation.*` events plus the token's hash. */
export const invitations = pgTable(
	'invitations',
	{
		id: uuid('id').primaryKey(),
		sessionId: uuid('session_id')
			.notNull()
			.references(() => supportSessions.id),
		role: text('role', { enum: ['customer', 'rep'] }).notNull(),
		via: text('via', { enum: ['email', 'mailto', 'link'] }).notNull(),
		/** sha-256 of the link's token (256 random bits); the token itself is never stored. */
		tokenHash: text('token_hash').notNull().unique(),
		recipient: text('recipient'),
		createdByRepId: uuid('created_by_rep_id').references(() => reps.id),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
		sentAt: timestamp('sent_at', { withTimezone: true }),
		sendError: text('send_error'),
		revokedAt: timestamp('revoked_at', { withTimezone: true }),
	},
	(t) => [index('invitations_session_idx').on(t.sessionId)],
);

/**
 * File transfers (SPEC §9), a projection of the `file.*` events: which session a file belongs to (its
 * upload and download addresses carry only its id), what it is, and where it is — for the report (§10).
 */
export const sessionFiles = pgTable(
	'session_files',
	{
		id: uuid('id').primaryKey(),
		sessionId: uuid('session_id')
			.notNull()
			.references(() => supportSessions.id),
		senderParticipantId: uuid('sender_participant_id').notNull(),
		name: text('name').notNull(),
		size: bigint('size', { mode: 'number' }).notNull(),
		mediaType: text('media_type').notNull(),
		status: text('status', { enum: ['offered', 'uploading', 'complete', 'cancelled', 'expired'] }).notNull(),
		sha256: text('sha256'),
		offeredAt: timestamp('offered_at', { withTimezone: true }).notNull(),
		completedAt: timestamp('completed_at', { withTimezone: true }),
		/** Cancelled or expired: its bytes are gone (or going). */
		endedAt: timestamp('ended_at', { withTimezone: true }),
	},
	(t) => [index('session_files_session_idx').on(t.sessionId)],
);

export const schema = {
	reps,
	loginSessions,
	siteSettings,
	supportSessions,
	participants,
	events,
	effectCursors,
	leases,
	consoles,
	timers,
	invitations,
	sessionFiles,
	queues,
	agents,
	sessionQueues,
	surveys,
	webhooks,
};
export type Schema = typeof schema;
