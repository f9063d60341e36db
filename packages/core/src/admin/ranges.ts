// The ranges an administrator's numbers must lie in (SPEC §10). The server validates with them; the
// console uses the same ones for its inputs and to say what a refused value should have been.

export interface Range {
	min: number;
	max: number;
}

export const siteSettingRanges = {
	maxCustomersPerRep: { min: 1, max: 100 },
	maxSessionsPerRep: { min: 1, max: 50 },
	gracePeriodSeconds: { min: 5, max: 3600 },
	invitationExpiryHours: { min: 1, max: 24 * 30 },
	fileSizeLimitMb: { min: 1, max: 10_000 },
	fileRetentionDays: { min: 1, max: 3650 },
	agentCapacity: { min: 1, max: 50 },
	offerTimeoutSeconds: { min: 10, max: 600 },
} as const satisfies Record<string, Range>;

export type NumericSiteSetting = keyof typeof siteSettingRanges;

/** A rep's own maximum customers at once (null: the site's). */
export const repMaxCustomersRange: Range = siteSettingRanges.maxCustomersPerRep;

/** An agent's own capacity (null: the site's default). */
export const repAgentCapacityRange: Range = siteSettingRanges.agentCapacity;
