// The rep's language, live (UI.md: one rule — the browser's before sign-in, their saved choice after it —
// and a switch without a reload). Paraglide's messages ask getLocale() each time they render; answering
// from a rune makes every text on the page follow a switch, while sessions, media and the feed go on.
import { getLocale, overwriteGetLocale, setLocale, type Locale } from '../paraglide/runtime.js';

let current = $state<Locale>(getLocale());
overwriteGetLocale(() => current);

export const locale = (): Locale => current;

export function switchLocale(next: Locale): void {
	if (next === current) return;
	setLocale(next, { reload: false }); // the cookie, for the next visit
	current = next;
	document.documentElement.lang = next;
}
