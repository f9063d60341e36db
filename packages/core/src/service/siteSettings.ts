// The site's settings (SPEC §10), changed by an administrator: written with the change in the one log.

import { eq } from 'drizzle-orm';
import { siteSettings } from '@tandem/db';
import type { Services } from '../services.ts';
import { readSiteSettings, type SiteSettings } from './repLoad.ts';

export async function updateSiteSettings(
	services: Pick<Services, 'db' | 'recordAdminChange' | 'clock'>,
	by: string,
	changes: Partial<Omit<SiteSettings, never>>,
): Promise<SiteSettings & { updatedAt: Date }> {
	await readSiteSettings(services.db);
	return services.db.transaction(async (tx) => {
		const [row] = await tx
			.update(siteSettings)
			.set({ ...changes, updatedAt: new Date() })
			.where(eq(siteSettings.id, 1))
			.returning();
		if (Object.keys(changes).length > 0) {
			await services.recordAdminChange(tx, {
				kind: 'site',
				id: 'settings',
				by,
				event: { type: 'settings.changed', at: services.clock.now(), changes },
			});
		}
		return row!;
	});
}
