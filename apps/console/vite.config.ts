import { paraglideVitePlugin } from '@inlang/paraglide-js';
import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, type Plugin } from 'vite';

/** In `vite dev`, close Tandem (the database) when the dev server closes, as server.js does in production. */
function closeTandemOnDevServerClose(): Plugin {
	return {
		name: 'tandem:close-on-dev-server-close',
		apply: 'serve',
		async closeBundle() {
			const pending: Promise<unknown>[] = [];
			process.emit('tandem:shutdown' as never, pending as never);
			await Promise.allSettled(pending);
		},
	};
}

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
		closeTandemOnDevServerClose(),
	],
	ssr: {
		// adapter-node bundles the server code except package.json "dependencies"; keep @trpc/server
		// external too, so that this route and @tandem/core share one copy (TRPCError instanceof checks,
		// tracked() envelopes).
		external: ['@trpc/server'],
	},
	environments: {
		ssr: {
			build: {
				rolldownOptions: {
					// @tandem/core and @tandem/db ship TypeScript sources that Node 26 runs as they are (type
					// stripping). Vite will not externalize a package that resolves to .ts even when it is a
					// "dependency", and bundling them breaks their native addon (argon2), PGlite's wasm and
					// the SQL migrations they find beside their own files. So: external, always.
					// (A regular expression, not a function: Vite merges this option into an array.)
					external: [/^@tandem\/(core|db)(\/|$)/],
				},
			},
		},
	},
	server: {
		host: process.env.HOST ?? '127.0.0.1',
		port: Number(process.env.CONSOLE_DEV_PORT ?? 5173),
		strictPort: true,
	},
});
