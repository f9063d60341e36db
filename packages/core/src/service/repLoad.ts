// A rep's roles, limits and current load, read from the projections (SPEC §1 roles, §2 session mode, §5
// maximum customers) and the consoles' presence (§6 voice).

import { eq, sql } from 'drizzle-orm';
import { reps, siteSettings, type Database } from '@tandem/db';
import type { RepLoad } from '../session/model.ts';
import { agentCapacity } from '../acd/routing.ts';

export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0] | Database;

export interface SiteSettings {
	maxCustomersPerRep: number;
	maxSessionsPerRep: number;
	defaultSessionMode: 'single' | 'multi';
	gracePeriodSeconds: number;
	invitationExpiryHours: number;
	fileSizeLimitMb: number;
	/** Days a transferred file is kept after it arrived (SPEC §9). */
	fileRetentionDays: number;
	/** WebACD (SPEC §8): sessions an agent takes at once unless their own is set. */
	agentCapacity: number;
	offerTimeoutSeconds: number;
	/** Where transfers to agents wait after two unanswered rounds; null: the first queue made. */
	fallbackQueueId: string | null;
}

export async function readSiteSettings(db: Tx): Promise<SiteSettings> {
	const [row] = await db.select().from(siteSettings).where(eq(siteSettings.id, 1));
	if (row) return row;
	const [created] = await db.insert(siteSettings).values({ id: 1 }).onConflictDoNothing().returning();
	if (created) return created;
	const [again] = await db.select().from(siteSettings).where(eq(siteSettings.id, 1));
	return again!;
}

/**
 * A rep's roles, limits and load. It supports voice (SPEC §6) with the Voice calls setting on and a console
 * connected that declared a microphone; with no console connected, the setting alone counts.
 */
export async function readRepLoad(db: Tx, repId: string): Promise<RepLoad | null> {
	// One statement for the rep, their consoles and their load: it runs on every command a rep's limits touch.
	const [row] = await db
		.select({
			rep: reps,
			// Spelled out with table names: in a subquery drizzle would leave the columns unqualified.
			microphone: sql<boolean | null>`(select bool_or(c.microphone) from consoles c where c.rep_id = "reps"."id" and c.connected)`,
			sessions: sql<number>`(select count(*)::int from support_sessions s where s.controller_rep_id = "reps"."id" and s.status <> 'ended')`,
			customers: sql<number>`(select coalesce(sum(s.customer_count), 0)::int from support_sessions s where s.controller_rep_id = "reps"."id" and s.status <> 'ended')`,
		})
		.from(reps)
		.where(eq(reps.id, repId));
	if (!row || row.rep.disabled) return null;
	const { rep } = row;
	const microphone = row.microphone ?? undefined;
	const site = await readSiteSettings(db);
	const load = { sessions: Number(row.sessions), customers: Number(row.customers) };
	return {
		repId,
		name: rep.name,
		roles: { rep: rep.isRep, admin: rep.isAdmin, agent: rep.isAgent },
		mode: rep.sessionMode ?? site.defaultSessionMode,
		maxSessions: rep.sessionMode === 'single' ? 1 : site.maxSessionsPerRep,
		maxCustomers: rep.maxCustomers ?? site.maxCustomersPerRep,
		controlledSessions: load.sessions,
		customersHelped: load.customers,
		voiceCapable: rep.voiceCalls && (microphone ?? true),
	};
}

/** A WebACD agent's load and how many sessions they take at once (SPEC §8: theirs or the site's, within limits). */
export async function readAgentLoad(db: Tx, repId: string): Promise<(RepLoad & { capacity: number }) | null> {
	const load = await readRepLoad(db, repId);
	if (!load) return null;
	const [row] = await db.select({ own: reps.agentCapacity }).from(reps).where(eq(reps.id, repId));
	const site = await readSiteSettings(db);
	return { ...load, capacity: agentCapacity(row?.own ?? null, site.agentCapacity, load.maxSessions, load.mode) };
}
