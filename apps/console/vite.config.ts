import { paraglideVitePlugin } from '@inlang/paraglide-js';
import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [
    // One inlang project at the repo root, compiled into this app's own src/paraglide.
    // No 'url' strategy: no locale redirects (adapter-node would build them as https://…).
    paraglideVitePlugin({
      project: '../../project.inlang',
      outdir: './src/paraglide',
      strategy: ['cookie', 'preferredLanguage', 'baseLocale'],
    }),
    sveltekit({
      adapter: adapter(),
      paths: { base: '/console', relative: false },
    }),
  ],
  ssr: {
    // adapter-node bundles everything not in package.json "dependencies". @tandem/core (a dependency,
    // loaded by Node from its .ts sources) uses @trpc/server too: keep it external so both sides share
    // one copy (TRPCError instanceof checks, tracked() envelopes).
    external: ['@trpc/server'],
  },
  server: {
    host: process.env.HOST ?? '127.0.0.1',
    port: Number(process.env.CONSOLE_DEV_PORT ?? 5173),
    strictPort: true,
  },
});
