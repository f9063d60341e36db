// The landing page as HTML, rendered at build time once per language (vite.config.ts): the join form is on the
// screen, in the visitor's language, before any script has run; main.ts then hydrates it in place, so what
// was typed meanwhile stays.
import { render } from 'svelte/server';
import App from './App.svelte';
import { locales, overwriteGetLocale, type Locale } from './paraglide/runtime.js';

export { locales };

export function renderLanding(locale: Locale): string {
	overwriteGetLocale(() => locale);
	return render(App).body;
}
