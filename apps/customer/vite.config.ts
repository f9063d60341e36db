import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';

// In development the console (and the API under it) runs on its own Vite server; this one proxies to it,
// so the browser sees one origin as in production.
const consoleDevUrl = process.env.CONSOLE_DEV_URL ?? 'http://127.0.0.1:5173';

// @trpc/client's WebSocket link ends with one top-level statement (a static counter on its connection
// class) that keeps the whole unused WebSocket client in the bundle; marking it pure lets it go (~1 KB gzip).
const dropUnusedWsClient: Plugin = {
  name: 'tandem:drop-unused-ws-client',
  transform(code, id) {
    if (!/[\\/]@trpc[\\/]client[\\/]dist[\\/]wsLink-/.test(id)) return null;
    return code.replace('\n_defineProperty(WsConnection, "connectCount", 0);', '\n/* @__PURE__ */ _defineProperty(WsConnection, "connectCount", 0);');
  },
};

export default defineConfig({
  plugins: [
    svelte(),
    dropUnusedWsClient,
    // The repo's one inlang project, compiled into this app's own src/paraglide.
    paraglideVitePlugin({
      project: '../../project.inlang',
      outdir: './src/paraglide',
      strategy: ['localStorage', 'preferredLanguage', 'baseLocale'],
      // Browser-only page: lets the bundler drop the runtime's server branches.
      isServer: 'false',
    }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The page's weight budget (UI.md): only evergreen browsers load it, which support modulepreload.
    modulePreload: { polyfill: false },
  },
  server: {
    host: process.env.HOST ?? '127.0.0.1',
    port: Number(process.env.PORT ?? 3000),
    strictPort: true,
    proxy: {
      '/console': { target: consoleDevUrl, changeOrigin: false, ws: true },
    },
  },
});
