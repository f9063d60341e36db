import { paraglideVitePlugin } from '@inlang/paraglide-js';
import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

/**
 * The one inline style the console's pages carry: SvelteKit's route announcer (a visually hidden live region
 * in Kit's root component) has a style attribute. The policy allows exactly that attribute, by its hash,
 * read from the installed Kit so that an upgrade keeps it right (and the browser tests fail on a violation).
 */
function kitAnnouncerStyleHash(): `sha256-${string}` {
	const kit = dirname(createRequire(import.meta.url).resolve('@sveltejs/kit/package.json'));
	const root = readFileSync(join(kit, 'src/runtime/components/root.svelte'), 'utf8');
	const style = /id="svelte-announcer"[\s\S]*?style="([^"]*)"/.exec(root)?.[1];
	if (!style) throw new Error("SvelteKit's route announcer has no style attribute any more: drop its hash from the CSP");
	return `sha256-${createHash('sha256').update(style).digest('base64')}`;
}

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
			// The console's pages: only this site's scripts and styles (Kit adds a nonce to the inline script
			// that boots the app), nothing framed, no plug-ins. Why each source beyond 'self' is there: SECURITY.md.
			csp: {
				mode: 'nonce',
				directives: {
					'default-src': ['self'],
					'script-src': ['self'],
					'style-src': ['self', 'unsafe-hashes', kitAnnouncerStyleHash()],
					'img-src': ['self', 'data:'],
					'media-src': ['self'],
					'connect-src': ['self'],
					'worker-src': ['self'],
					'font-src': ['self'],
					'object-src': ['none'],
					'base-uri': ['none'],
					'frame-ancestors': ['none'],
					'form-action': ['self'],
				},
			},
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
