// Times and lengths in the console (reports, SPEC §10; chat, invitations, recordings), in the rep's language:
// dates as their locale writes them.
import { getLocale } from '../paraglide/runtime.js';

/**
 * How the rep's dates, times and numbers are written: Serbian (Latin) in Serbian; in English, the browser's own
 * English (en-US: Dec 5, 2026, 11:26 PM; en-GB: 5 Dec 2026, 23:26), else British English.
 */
export function formatLocale(): string {
	if (getLocale() === 'sr') return 'sr-Latn-RS';
	const browser = globalThis.navigator?.language;
	return browser?.toLowerCase().startsWith('en') ? browser : 'en-GB';
}
const locale = formatLocale;

export const dateTime = (ms: number): string => new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(ms);

/** To the second: when a checkpoint was written, a delivery failed or will be tried again. */
export const dateTimeSeconds = (ms: number): string =>
	new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'medium' }).format(ms);

export const clock = (ms: number): string => new Intl.DateTimeFormat(locale(), { timeStyle: 'medium' }).format(ms);

/** 1:05:09, 5:09 */
export function duration(ms: number): string {
	const total = Math.max(0, Math.round(ms / 1000));
	const h = Math.floor(total / 3600);
	const mm = Math.floor((total % 3600) / 60);
	const ss = String(total % 60).padStart(2, '0');
	return h ? `${h}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}
