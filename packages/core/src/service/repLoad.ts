// A rep's limits and current load, read from the projections (SPEC §2 session mode, §5 maximum customers).

import { and, eq, ne, sql } from 'drizzle-orm';
import { reps, siteSettings, supportSessions, type Database } from '@tandem/db';
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
 * `microphone`: whether the rep's console has a microphone (it declares so when it connects);
 * undefined when no console of theirs is known, and then the Voice calls setting alone counts.
 */
export async function readRepLoad(db: Tx, repId: string, microphone?: boolean): Promise<RepLoad | null> {
	const [rep] = await db.select().from(reps).where(eq(reps.id, repId));
	if (!rep || rep.disabled) return null;
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
		mode: rep.sessionMode ?? site.defaultSessionMode,
		maxSessions: rep.sessionMode === 'single' ? 1 : site.maxSessionsPerRep,
		maxCustomers: rep.maxCustomers ?? site.maxCustomersPerRep,
		controlledSessions: load?.sessions ?? 0,
		customersHelped: load?.customers ?? 0,
		voiceCapable: rep.voiceCalls && (microphone ?? true),
	};
}
