// `npm run bench` (scripts/tandem.sh runs it after the build): prints figures and their ratio to a budget.
// It never fails on a number — it reports; the exit code is 0 unless a section cannot run at all.
// Each section is an async function that prints its own lines; add new ones to `sections` below.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { startServer } from './bench/product.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** 1 KB = 1000 bytes, as Vite's build report counts. */
const kb = (bytes) => (bytes / 1000).toFixed(1);
const gzipSize = (file) => gzipSync(readFileSync(file), { level: 9 }).length;

/** The figure against its budget: `budget 25 KB — ratio 0.96 — OK`. */
function verdict(value, budget) {
	const ratio = value / budget;
	return `budget ${budget / 1000} KB — ratio ${ratio.toFixed(2)} — ${ratio <= 1 ? 'OK' : 'OVER'}`;
}

function heading(title) {
	console.log(`\n## ${title}`);
}

// ---------------------------------------------------------------- Customer first load

const CUSTOMER_DIST = join(ROOT, 'apps/customer/dist');
/** The budget for what the customer's first screen loads, JS and CSS as the browser transfers it (UI.md). */
const CUSTOMER_FIRST_LOAD_BUDGET = 25_000;

/** The files index.html makes the browser fetch before the first screen: module scripts, stylesheets,
 *  modulepreloads — and, to be sure nothing is missed, whatever those scripts import statically. */
function customerFirstLoadFiles(html) {
	const attr = (tag, name) => new RegExp(`\\b${name}\\s*=\\s*["']([^"']+)["']`, 'i').exec(tag)?.[1];
	const files = new Set();
	for (const [tag] of html.matchAll(/<script\b[^>]*>/gi)) {
		const src = attr(tag, 'src');
		if (src && /\btype\s*=\s*["']module["']/i.test(tag)) files.add(src);
	}
	for (const [tag] of html.matchAll(/<link\b[^>]*>/gi)) {
		const rel = attr(tag, 'rel')?.toLowerCase();
		const href = attr(tag, 'href');
		if (href && (rel === 'stylesheet' || rel === 'modulepreload')) files.add(href);
	}
	const toPath = (url) => join(CUSTOMER_DIST, url.replace(/^\//, ''));
	const queue = [...files].map(toPath);
	const seen = new Set(queue);
	while (queue.length) {
		const file = queue.shift();
		if (!file.endsWith('.js')) continue;
		const code = readFileSync(file, 'utf8');
		// Static imports only (`import{a}from"./x.js"`, `import"./x.js"`), not `import("./x.js")`.
		for (const [, spec] of code.matchAll(/\bimport\s*(?:[\w$\s{},*]+?\s*from\s*)?["']([^"']+\.js)["']/g)) {
			const dep = resolve(dirname(file), spec);
			if (!seen.has(dep)) {
				seen.add(dep);
				queue.push(dep);
			}
		}
	}
	return [...seen];
}

function listFiles(dir) {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

/** The body of `url` as the server sends it to a browser that takes brotli and gzip (not decompressed). */
function transferred(url) {
	return new Promise((resolve, reject) => {
		http
			.get(url, { headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } }, (res) => {
				let bytes = 0;
				res.on('data', (chunk) => (bytes += chunk.length));
				res.on('end', () => resolve({ bytes, encoding: res.headers['content-encoding'] ?? 'none' }));
				res.on('error', reject);
			})
			.on('error', reject);
	});
}

async function customerFirstLoad() {
	heading('Customer first load (as the browser transfers it)');
	const indexHtml = join(CUSTOMER_DIST, 'index.html');
	if (!existsSync(indexHtml)) {
		console.log(`no ${relative(ROOT, indexHtml)}: build first (npx turbo run build --filter=@tandem/customer)`);
		return;
	}
	const server = await startServer();
	try {
		const first = customerFirstLoadFiles(readFileSync(indexHtml, 'utf8'));
		const measure = async (file) => {
			const name = relative(CUSTOMER_DIST, file);
			const sent = await transferred(`${server.baseUrl}/${name}`);
			return { file, name, bytes: readFileSync(file).length, gzip: gzipSize(file), sent: sent.bytes, encoding: sent.encoding };
		};
		const row = (r, note = '') =>
			`  ${(note + r.name).padEnd(44)} ${kb(r.bytes).padStart(6)} KB  ${kb(r.gzip).padStart(5)} KB gzip  ${kb(r.sent).padStart(5)} KB sent (${r.encoding})`;
		const sum = (rows, ext = '', key = 'sent') => rows.filter((r) => r.file.endsWith(ext)).reduce((n, r) => n + r[key], 0);

		const firstRows = await Promise.all(first.map(measure));
		for (const r of firstRows) console.log(row(r));
		const html = await transferred(`${server.baseUrl}/`);
		console.log(`  ${'index.html'.padEnd(44)} ${kb(html.bytes).padStart(31)} KB sent (${html.encoding})`);
		const js = sum(firstRows, '.js');
		const css = sum(firstRows, '.css');
		console.log(
			`customer first load: ${kb(js + css)} KB of JS+CSS as sent (JS ${kb(js)} + CSS ${kb(css)}; gzip of the files ${kb(sum(firstRows, '', 'gzip'))} KB) — ${verdict(js + css, CUSTOMER_FIRST_LOAD_BUDGET)}`,
		);

		// Everything else the app may load later (the Remote Support page, ...), not part of the budget.
		const firstSet = new Set(first);
		const lazyRows = await Promise.all(
			listFiles(join(CUSTOMER_DIST, 'assets'))
				.filter((f) => /\.(js|css)$/.test(f) && !firstSet.has(f))
				.map(measure),
		);
		for (const r of lazyRows) console.log(row(r, '(lazy) '));
		console.log(`customer lazily loaded chunks: ${kb(sum(lazyRows))} KB as sent in ${lazyRows.length} file(s)`);
	} finally {
		await server.stop();
	}
}

// ---------------------------------------------------------------- run

const sections = [
	customerFirstLoad,
	(await import('./bench/joinLatency.mjs')).joinLatency, // join → visible at the rep, 100 and 1,000 live sessions
	(await import('./bench/media.mjs')).media, // share → first frame, transfer → media stopped, SFU forwarding CPU vs bare mediasoup
	(await import('./bench/stage.mjs')).stage, // landing's transferred load and FCP; share glass-to-glass and SSIM; pointer → drawn (each vs bare)
	(await import('./bench/acd.mjs')).acd,
	(await import('./bench/files.mjs')).files, // a 200 MB upload by tus beside a bare Node HTTP copy
	(await import('./bench/chat.mjs')).chat, // chat send → shown at all 10 people of a session among 1,000 live ones // WebACD: enqueued → offer, a place in line changing, 1,000 waiting and 100 agents
	(await import('./bench/history.mjs')).history, // the session history's page with 100,000 sessions on PostgreSQL beside a bare indexed SELECT
	(await import('./bench/soak.mjs')).soak, // 1,000 live sessions under churn, then 200 churners: latency, lost events, memory
	(await import('./bench/audit.mjs')).audit, // audit:verify over 200,000 events beside a bare HMAC-SHA256 loop, as a ratio
];

// `npm run bench -- acd chat` runs only the sections named (by their function's name).
const only = process.argv.slice(2);
for (const section of sections) {
	if (only.length && !only.includes(section.name)) continue;
	try {
		await section();
	} catch (err) {
		console.log(`${section.name}: could not run — ${err instanceof Error ? err.message : err}`);
	}
}
