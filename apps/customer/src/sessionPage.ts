// Everything only a customer in a session needs — the Remote Support page, its toasts' texts, the closing
// screen — in one module the landing loads lazily (App.svelte), so the first load stays light (UI.md).
export { default as Session } from './Session.svelte';
export { default as Ended } from './Ended.svelte';
export { announce } from './announce.ts';
