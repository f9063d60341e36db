// A rep's roles, limits and current load, read from the projections (SPEC §1 roles, §2 session mode, §5
// maximum customers) and the consoles' presence (§6 voice).

import { and, eq, ne, sql } from 'drizzle-orm';
import { consoles, reps, siteSettings, supportSessions, type Database } from '@tandem/db';
import type { RepLoad } from '../session/model.ts';

export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0] | Database;

export interface SiteSettings {
	maxCustomersPerRep: number;
	maxSessionsPerRep: number;
	defaultSessionMode: 'single' | 'multi';
	gracePeriodSeconds: number;
	invitationExpiryHours: number;
	fileSizeLimitMb: number;
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
	const [rep] = await db.select().from(reps).where(eq(reps.id, repId));
	if (!rep || rep.disabled) return null;
	const [present] = await db
		.select({ microphone: sql<boolean | null>`bool_or(${consoles.microphone})` })
		.from(consoles)
		.where(and(eq(consoles.repId, repId), eq(consoles.connected, true)));
	const microphone = present?.microphone ?? undefined;
	const site = await readSiteSettings(db);
	const [load] = await db
		.select({
			sessions: sql<number>`count(*)::int`,
			customers: sql<number>`coalesce(sum(${supportSessions.customerCount}), 0)::int`,
		})
		.from(supportSessions)
		.where(and(eq(supportSessions.controllerRepId, repId), ne(supportSessions.status, 'ended')));
	return {
		repId,
		name: rep.name,
		roles: { rep: rep.isRep, admin: rep.isAdmin, agent: rep.isAgent },
		mode: rep.sessionMode ?? site.defaultSessionMode,
		maxSessions: rep.sessionMode === 'single' ? 1 : site.maxSessionsPerRep,
		maxCustomers: rep.maxCustomers ?? site.maxCustomersPerRep,
		controlledSessions: load?.sessions ?? 0,
		customersHelped: load?.customers ?? 0,
		voiceCapable: rep.voiceCalls && (microphone ?? true),
	};
}
