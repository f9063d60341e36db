// The tables of Tandem. Sessions are recorded as events (`session_events`); `support_sessions` and
// `participants` are projections of those events kept for queries (limits, numbers, tokens).

import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

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
	voiceCalls: boolean('voice_calls').notNull().default(true),
	language: text('language', { enum: ['en', 'sr'] })
		.notNull()
		.default('en'),
	disabled: boolean('disabled').notNull().default(false),
	failedLogins: integer('failed_logins').notNull().default(0),
	lockedUntil: timestamp('locked_until', { withTimezone: true }),
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
		/** The session's state after its last event (a snapshot of `evolve`). */
		state: jsonb('state').notNull(),
		version: integer('version').notNull(),
		/** Hash of the session's last event, the link the next event chains to. */
		lastHash: text('last_hash').notNull(),
		startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
		endedAt: timestamp('ended_at', { withTimezone: true }),
	},
	(t) => [
		// A number is unique among sessions that are not over; ended sessions free theirs.
		uniqueIndex('support_sessions_live_number')
			.on(t.number)
			.where(sql`${t.status} <> 'ended'`),
		index('support_sessions_controller_idx').on(t.controllerRepId),
	],
);

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

export const sessionEvents = pgTable(
	'session_events',
	{
		/** Global, increasing: the feed's resume point. */
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		sessionId: uuid('session_id')
			.notNull()
			.references(() => supportSessions.id),
		/** 1, 2, 3… within the session. */
		seq: integer('seq').notNull(),
		type: text('type').notNull(),
		payload: jsonb('payload').notNull(),
		/** Who caused it: `rep:<id>`, `customer:<participant id>`, `system`. */
		actor: text('actor').notNull(),
		at: timestamp('at', { withTimezone: true }).notNull(),
		/** HMAC of this row chained to the previous row of the same session. */
		prevHash: text('prev_hash').notNull(),
		hash: text('hash').notNull(),
	},
	(t) => [uniqueIndex('session_events_session_seq').on(t.sessionId, t.seq)],
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

export const schema = { reps, loginSessions, siteSettings, supportSessions, participants, sessionEvents, invitations };
export type Schema = typeof schema;
