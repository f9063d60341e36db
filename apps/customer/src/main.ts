import { hydrate, mount } from 'svelte';
import App from './App.svelte';
import { baseLocale, isLocale, overwriteGetLocale } from './paraglide/runtime.js';
import './app.css';

// The server chose the page's language (apps/console/server.js: ?lang=, the remembered choice, the browser's)
// and says it in <html lang>; ?lang=sr (e.g. in an invitation link) is remembered for the next visit.
const lang = new URL(location.href).searchParams.get('lang');
if (lang && isLocale(lang)) document.cookie = `PARAGLIDE_LOCALE=${lang}; path=/; max-age=34560000; samesite=lax`;
const locale = document.documentElement.lang;
overwriteGetLocale(() => (isLocale(locale) ? locale : baseLocale));

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');

// The server sent the landing already rendered (apps/console/server.js): take it over in place.
export const app = (target.dataset.prerendered ? hydrate : mount)(App, { target });
