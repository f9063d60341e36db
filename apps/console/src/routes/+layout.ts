// The console renders in the browser only; it talks to the server through tRPC.
export const ssr = false;
export const prerender = false;
