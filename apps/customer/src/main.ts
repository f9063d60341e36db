import { mount } from 'svelte';
import App from './App.svelte';
import { getLocale, isLocale, setLocale } from './paraglide/runtime.js';
import './app.css';

// ?lang=sr (e.g. in an invitation link) overrides the browser's language and is remembered
// (localStorage strategy); otherwise the page follows the browser.
const lang = new URL(location.href).searchParams.get('lang');
if (lang && isLocale(lang) && lang !== getLocale()) setLocale(lang, { reload: false });
document.documentElement.lang = getLocale();

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');

export const app = mount(App, { target });
