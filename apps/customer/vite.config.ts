import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// In development the console (and the API under it) runs on its own Vite server; this one proxies to it,
// so the browser sees one origin as in production.
const consoleDevUrl = process.env.CONSOLE_DEV_URL ?? 'http://127.0.0.1:5173';

export default defineConfig({
  plugins: [
    svelte(),
    // The repo's one inlang project, compiled into this app's own src/paraglide.
    paraglideVitePlugin({
      project: '../../project.inlang',
      outdir: './src/paraglide',
      strategy: ['localStorage', 'preferredLanguage', 'baseLocale'],
    }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
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
