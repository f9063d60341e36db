// Times and lengths in the reports (SPEC §10), in the rep's language: dates as their locale writes them.
import { getLocale } from '../paraglide/runtime.js';

const locale = () => (getLocale() === 'sr' ? 'sr-Latn-RS' : (globalThis.navigator?.language ?? 'en-GB'));

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
