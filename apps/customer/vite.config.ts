import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { createServer, defineConfig, type Plugin } from 'vite';

// In development the console (and the API under it) runs on its own Vite server; this one proxies to it,
// so the browser sees one origin as in production.
const consoleDevUrl = process.env.CONSOLE_DEV_URL ?? 'http://127.0.0.1:5173';

// @trpc/client's WebSocket link ends with one top-level statement (a static counter on its connection
// class) that keeps the whole unused WebSocket client in the bundle; marking it pure lets it go (~1 KB gzip).
const dropUnusedWsClient: Plugin = {
	name: 'tandem:drop-unused-ws-client',
	transform(code, id) {
		if (!/[\\/]@trpc[\\/]client[\\/]dist[\\/]wsLink-/.test(id)) return null;
		return code.replace(
			'\n_defineProperty(WsConnection, "connectCount", 0);',
			'\n/* @__PURE__ */ _defineProperty(WsConnection, "connectCount", 0);',
		);
	},
};

// Svelte's runtime is reached through one barrel (svelte/internal/client), so the bundler counts each of its
// modules as a dependency of the entry and keeps the parts only the lazily loaded pages use (the keyed
// list, class directives) in the entry chunk. These modules only declare functions and constants at their
// top level; saying so lets them move to the chunk that uses them.
const svelteModulesWithoutSideEffects = [
	'internal/client/dom/blocks/each.js',
	'internal/client/dom/elements/class.js',
	'internal/client/dom/elements/style.js',
	'internal/shared/attributes.js',
];
const isSvelteModuleWithoutSideEffects = (id: string) =>
	svelteModulesWithoutSideEffects.some((m) => id.replaceAll('\\', '/').endsWith(`/node_modules/svelte/src/${m}`));
const svelteRuntimeSideEffects: Plugin = {
	name: 'tandem:svelte-runtime-side-effects',
	transform(code, id) {
		return isSvelteModuleWithoutSideEffects(id) ? { code, map: null, moduleSideEffects: false } : null;
	},
};

// What the browser transfers is what counts (UI.md: ≤ 25 KB before the first click): every text file of the
// build gets a brotli and a gzip twin, made once here at the strongest settings, which the server sends to a
// browser that accepts them (apps/console/server.js).
function precompress() {
	const walk = (dir: string): string[] =>
		readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
	for (const file of walk('dist').filter((f) => /\.(js|css|html|svg|json|txt)$/.test(f))) {
		const bytes = readFileSync(file);
		const br = brotliCompressSync(bytes, {
			params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
		});
		const gz = gzipSync(bytes, { level: 9 });
		if (br.length < bytes.length) writeFileSync(`${file}.br`, br);
		if (gz.length < bytes.length) writeFileSync(`${file}.gz`, gz);
	}
}

// The page's HTML in each language, so something shows before the script (UI.md): `shell.<locale>.html` is the
// empty page with its `lang`, `landing.<locale>.html` carries the landing rendered by Svelte on the server
// (src/prerender.ts), which main.ts hydrates. The server picks one per request (apps/console/server.js).
async function renderPages() {
	const server = await createServer({
		configFile: false,
		root: import.meta.dirname,
		logLevel: 'error',
		appType: 'custom',
		server: { middlewareMode: true, hmr: false, ws: false },
		optimizeDeps: { noDiscovery: true, include: [] },
		plugins: [svelte({ compilerOptions: { discloseVersion: false } })],
	});
	try {
		const { renderLanding, locales } = (await server.ssrLoadModule('/src/prerender.ts')) as typeof import('./src/prerender.ts');
		const template = readFileSync('dist/index.html', 'utf8');
		if (!template.includes('<html lang="en">') || !template.includes('<div id="app"></div>')) throw new Error('index.html changed shape');
		for (const locale of locales) {
			const page = template.replace('<html lang="en">', `<html lang="${locale}">`);
			writeFileSync(`dist/shell.${locale}.html`, page);
			writeFileSync(
				`dist/landing.${locale}.html`,
				page.replace('<div id="app"></div>', `<div id="app" data-prerendered="${locale}">${renderLanding(locale)}</div>`),
			);
		}
	} finally {
		await server.close();
	}
}

// In development no server picks the language: ?lang=sr does (the page follows <html lang>, src/main.ts).
const devLanguage: Plugin = {
	name: 'tandem:dev-language',
	apply: 'serve',
	transformIndexHtml(html, ctx) {
		const lang = new URL(ctx.originalUrl ?? '/', 'http://dev').searchParams.get('lang');
		return lang && /^[a-z]{2,3}$/.test(lang) ? html.replace('<html lang="en">', `<html lang="${lang}">`) : html;
	},
};

const pages: Plugin = {
	name: 'tandem:pages',
	apply: 'build',
	async closeBundle() {
		await renderPages();
		precompress();
	},
};

export default defineConfig({
	plugins: [
		svelte({ compilerOptions: { discloseVersion: false } }),
		svelteRuntimeSideEffects,
		dropUnusedWsClient,
		pages,
		devLanguage,
		// The repo's one inlang project, compiled into this app's own src/paraglide.
		paraglideVitePlugin({
			project: '../../project.inlang',
			outdir: './src/paraglide',
			// The server chooses the language (main.ts); the page follows it.
			strategy: ['baseLocale'],
			// Browser-only page: lets the bundler drop the runtime's server branches.
			isServer: 'false',
		}),
	],
	build: {
		outDir: 'dist',
		emptyOutDir: true,
		// The page's weight budget (UI.md): only evergreen browsers load it, which support modulepreload.
		modulePreload: { polyfill: false },
		rolldownOptions: {
			output: {
				codeSplitting: {
					// What the first screen imports statically is one entry chunk. Left to itself, once more than one
					// page is loaded lazily, the bundler moves what the entry shares with them into a common chunk
					// loaded beside the entry: the same code, compressed worse. The runtime modules above stay free
					// to go with the lazily loaded page that uses them.
					groups: [
						{
							name: 'index',
							tags: ['$initial'],
							test: (id) => !isSvelteModuleWithoutSideEffects(id),
							includeDependenciesRecursively: false,
						},
					],
				},
			},
		},
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
