// Tandem's production server: one origin for everything.
//   /            the customer app (apps/customer/dist), with SPA fallback to index.html
//   /console…    the rep console and the API (SvelteKit, adapter-node's build/handler.js)
// It also owns shutdown: adapter-node's own entry is not used, so 'sveltekit:shutdown' is never
// emitted; on SIGTERM/SIGINT we stop accepting connections and close Tandem (the database).
import { createReadStream, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// adapter-node assumes https unless told which header carries the scheme; it reads this when
// handler.js is imported, so set it first. We set the header below (a reverse proxy in front
// of us may set it already, to https).
process.env.PROTOCOL_HEADER ??= 'x-forwarded-proto';
const protocolHeader = process.env.PROTOCOL_HEADER.toLowerCase();
// adapter-node takes request bodies up to 512 KB unless told: file uploads (tus) come in chunks of 8 MB
// (UPLOAD_CHUNK_BYTES in core's files/fileAddresses.ts), so take a little more. Read when handler.js is imported, like the above.
process.env.BODY_SIZE_LIMIT ??= '9M';

const here = fileURLToPath(new URL('.', import.meta.url));
let stopping = false;
const customerDir = normalize(process.env.TANDEM_CUSTOMER_DIST ?? join(here, '../customer/dist'));
// The media server (apps/sfu) runs beside us as a child process, unless TANDEM_SFU_URL points at one
// that runs elsewhere. Core reaches it through its control API with a shared secret.
/** @type {import('node:child_process').ChildProcess | null} */
let sfu = null;
if (!process.env.TANDEM_SFU_URL && process.env.TANDEM_SFU !== 'off') {
	process.env.TANDEM_SFU_SECRET ??= randomBytes(24).toString('base64url');
	const sfuPort = Number(process.env.TANDEM_SFU_PORT ?? Number(process.env.PORT ?? 3000) + 1000);
	process.env.TANDEM_SFU_URL = `http://127.0.0.1:${sfuPort}`;
	const dataDir = resolve(process.env.TANDEM_DATA_DIR ?? 'data');
	mkdirSync(dataDir, { recursive: true });
	const pidFile = join(dataDir, `sfu-${sfuPort}.pid`);
	// A server killed before it could stop its media server left it holding the port: replace it.
	await stopStaleSfu(pidFile);
	await waitForPortFree(sfuPort);
	/** Starts the media server; when it dies while we run, it is started again (sooner after a long life). */
	const startSfu = () => {
		const startedAt = Date.now();
		sfu = spawn(process.execPath, [join(here, '../sfu/src/main.ts')], {
			env: {
				...process.env,
				TANDEM_SFU_HOST: '127.0.0.1',
				TANDEM_SFU_PORT: String(sfuPort),
				TANDEM_RECORDINGS_DIR: process.env.TANDEM_RECORDINGS_DIR ?? join(dataDir, 'recordings'),
				// Our end of its stdin closes when this process dies, however it dies: the SFU then stops.
				TANDEM_SFU_PARENT: 'pipe',
			},
			stdio: ['pipe', 'inherit', 'inherit'],
		});
		if (sfu.pid) writeFileSync(pidFile, String(sfu.pid));
		sfu.on('exit', (code, signal) => {
			rmSync(pidFile, { force: true });
			if (stopping) return;
			// Crashing at once again and again (a broken install) backs off up to 30 s; after a long life, at once.
			sfuRestarts = Date.now() - startedAt > 60_000 ? 0 : sfuRestarts + 1;
			const wait = Math.min(250 * 2 ** sfuRestarts, 30_000);
			console.error(`The media server stopped (${signal ?? code}); starting it again in ${wait} ms.`);
			setTimeout(() => {
				if (!stopping) void waitForPortFree(sfuPort).then(() => stopping || startSfu());
			}, wait).unref();
		});
	};
	let sfuRestarts = 0;
	startSfu();
	await waitForSfu(process.env.TANDEM_SFU_URL, process.env.TANDEM_SFU_SECRET);
}

/**
 * Stops the media server a previous run of this server left behind (its pid file names it), if it is one.
 * @param {string} pidFile
 */
async function stopStaleSfu(pidFile) {
	let pid;
	try {
		pid = Number(readFileSync(pidFile, 'utf8'));
	} catch {
		return;
	}
	rmSync(pidFile, { force: true });
	if (!Number.isInteger(pid) || pid <= 0 || !isSfuProcess(pid)) return;
	console.log(`Replacing the media server (pid ${pid}) left by a server that did not stop cleanly.`);
	process.kill(pid, 'SIGTERM');
	const deadline = Date.now() + 5_000;
	while (Date.now() < deadline && isSfuProcess(pid)) await new Promise((r) => setTimeout(r, 100));
	if (isSfuProcess(pid)) process.kill(pid, 'SIGKILL');
}

/** @param {number} pid */
function isSfuProcess(pid) {
	try {
		process.kill(pid, 0);
	} catch {
		return false;
	}
	try {
		return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('sfu/src/main.ts');
	} catch {
		return true; // alive, and no /proc to ask: trust the pid file
	}
}

/**
 * Waits (a few seconds at most) until nothing listens on the port, e.g. an SFU that is still stopping.
 * @param {number} port
 */
async function waitForPortFree(port) {
	const deadline = Date.now() + 10_000;
	while (Date.now() < deadline) {
		const inUse = await new Promise((done) => {
			const socket = connect({ host: '127.0.0.1', port }, () => {
				socket.destroy();
				done(true);
			});
			socket.on('error', () => done(false));
		});
		if (!inUse) return;
		await new Promise((r) => setTimeout(r, 200));
	}
	console.error(`Port ${port} is still in use: the media server may not start.`);
}

/** @param {string} url @param {string} secret */
async function waitForSfu(url, secret) {
	const deadline = Date.now() + 20_000;
	while (Date.now() < deadline) {
		try {
			const res = await fetch(`${url}/stats`, { headers: { 'x-tandem-sfu-secret': secret } });
			if (res.ok) return;
		} catch {
			/* not up yet */
		}
		if (sfu?.exitCode !== null) break;
		await new Promise((r) => setTimeout(r, 200));
	}
	console.error('The media server did not start; sharing, video, voice and recording are unavailable.');
}

// A variable, so that type-checking does not descend into the generated build.
const handlerModule = './build/handler.js';
/** @type {{ handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, next: () => void) => void }} */
const { handler } = await import(handlerModule);

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 3000);

const types = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json; charset=utf-8',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.jpg': 'image/jpeg',
	'.ico': 'image/x-icon',
	'.webp': 'image/webp',
	'.woff2': 'font/woff2',
	'.txt': 'text/plain; charset=utf-8',
	'.webmanifest': 'application/manifest+json',
};

/** @param {string} file */
async function isFile(file) {
	try {
		return (await stat(file)).isFile();
	} catch {
		return false;
	}
}

/**
 * What an Accept-* header offers, most wanted first (a stable sort by q; q=0 refuses, so it is left out).
 * @param {string} header
 * @returns {string[]} the tokens, lower-cased
 */
function offered(header) {
	return header
		.split(',')
		.map((part, order) => {
			const [token = '', ...params] = part.trim().toLowerCase().split(';');
			const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
			return { token: token.trim(), order, q: q === undefined ? 1 : Number(q.slice(2)) || 0 };
		})
		.filter((t) => t.token && t.q > 0)
		.sort((a, b) => b.q - a.q || a.order - b.order)
		.map((t) => t.token);
}

/**
 * Which precompressed twin of `file` to send for this Accept-Encoding: brotli before gzip, only when the
 * browser accepts it (q=0 refuses) and the build made it.
 * @param {string} file
 * @param {string} accepted
 * @returns {Promise<'br' | 'gzip' | null>}
 */
async function precompressed(file, accepted) {
	const takes = offered(accepted);
	if (takes.includes('br') && (await isFile(`${file}.br`))) return 'br';
	if (takes.includes('gzip') && (await isFile(`${file}.gz`))) return 'gzip';
	return null;
}

/** The languages the customer app's build rendered its pages in (landing.<locale>.html, apps/customer/vite.config.ts). */
const customerLocales = (() => {
	try {
		return readdirSync(customerDir).flatMap((f) => /^landing\.([a-z]{2,3})\.html$/.exec(f)?.[1] ?? []);
	} catch {
		return [];
	}
})();

/**
 * The language of the customer's page, as its script will choose it (the paraglide strategy in
 * apps/customer/vite.config.ts): ?lang=, then the choice remembered in the PARAGLIDE_LOCALE cookie, then the
 * browser's languages in their order of preference, then English.
 * @param {import('node:http').IncomingMessage} req
 * @param {URLSearchParams} query
 */
function customerLocale(req, query) {
	const known = (/** @type {string | null | undefined} */ tag) => {
		const base = tag?.trim().toLowerCase().split('-')[0];
		return base && customerLocales.includes(base) ? base : null;
	};
	const cookie = /(?:^|;\s*)PARAGLIDE_LOCALE=([^;]*)/.exec(String(req.headers.cookie ?? ''))?.[1];
	const browser = offered(String(req.headers['accept-language'] ?? ''))
		.map(known)
		.find(Boolean);
	return known(query.get('lang')) ?? known(cookie) ?? browser ?? 'en';
}

/**
 * The page for an app route: the landing already rendered in the visitor's language, or — for an invitation
 * link, whose page is another — the empty page with the right `lang`. A build without them has index.html.
 * @param {import('node:http').IncomingMessage} req
 */
function customerPage(req) {
	if (!customerLocales.length) return join(customerDir, 'index.html');
	const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
	const locale = customerLocale(req, query);
	return join(customerDir, `${query.has('invite') ? 'shell' : 'landing'}.${locale}.html`);
}

/**
 * Serves a file of the customer app, or its page for app routes.
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {string} pathname
 */
async function serveCustomer(req, res, pathname) {
	if (req.method !== 'GET' && req.method !== 'HEAD') {
		res.writeHead(405, { allow: 'GET, HEAD' }).end();
		return;
	}
	let decoded;
	try {
		decoded = decodeURIComponent(pathname);
	} catch {
		res.writeHead(400).end();
		return;
	}
	let file = normalize(join(customerDir, decoded));
	if (file !== customerDir && !file.startsWith(customerDir + sep)) {
		res.writeHead(404).end();
		return;
	}
	let cache = 'no-cache';
	if (decoded.startsWith('/assets/') && (await isFile(file))) {
		cache = 'public, max-age=31536000, immutable'; // hashed file names
	} else if (decoded === '/' || !(await isFile(file))) {
		if (extname(decoded) && decoded !== '/index.html') {
			// a missing file, not an app route
			res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
			return;
		}
		file = customerPage(req);
	}
	// The build's brotli or gzip twin of the file, when the browser takes it (apps/customer/vite.config.ts).
	const encoding = await precompressed(file, String(req.headers['accept-encoding'] ?? ''));
	const sent = encoding ? `${file}.${encoding === 'br' ? 'br' : 'gz'}` : file;
	res.writeHead(200, {
		'content-type': types[/** @type {keyof typeof types} */ (extname(file))] ?? 'application/octet-stream',
		'cache-control': cache,
		'x-content-type-options': 'nosniff',
		// The page's language follows these (customerPage).
		vary: extname(file) === '.html' ? 'accept-encoding, accept-language, cookie' : 'accept-encoding',
		'content-length': String((await stat(sent)).size),
		...(encoding ? { 'content-encoding': encoding } : {}),
		...(extname(file) === '.html' && customerPageCsp ? { 'content-security-policy': customerPageCsp } : {}),
	});
	if (req.method === 'HEAD') {
		res.end();
		return;
	}
	createReadStream(sent)
		.on('error', () => res.destroy())
		.pipe(res);
}

// On every answer, pages and API alike. Another site may not frame them (a support session clickjacked);
// links carry no referrer (invitation tokens are in them); capture is for this site only. The policy here
// allows nothing to load: it is what an API answer or a file carries. The console's pages get theirs from
// SvelteKit (a nonce per page, apps/console/vite.config.ts), the customer app's page the one below.
const SECURITY_HEADERS = {
	'content-security-policy': "default-src 'none'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'",
	'x-frame-options': 'DENY',
	'referrer-policy': 'no-referrer',
	'x-content-type-options': 'nosniff',
	'permissions-policy': 'camera=(self), microphone=(self), display-capture=(self), geolocation=(), payment=(), usb=()',
	...(process.env.TANDEM_PUBLIC_URL?.startsWith('https:') ? { 'strict-transport-security': 'max-age=31536000' } : {}),
};

/**
 * The support site's page may run and style only what this site serves — and the inline scripts and styles
 * its built index.html carries, by their hashes (computed here from the file, so a new build needs no edit).
 * Why each source beyond 'self' is there: SECURITY.md.
 * @param {string} html
 */
function customerPolicy(html) {
	/** @param {RegExp} pattern */
	const hashes = (pattern) =>
		[...html.matchAll(pattern)]
			.map(
				(m) =>
					`'sha256-${createHash('sha256')
						.update(m[1] ?? '')
						.digest('base64')}'`,
			)
			.join(' ');
	const scripts = hashes(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g);
	const styles = hashes(/<style[^>]*>([\s\S]*?)<\/style>/g);
	return [
		"default-src 'self'",
		`script-src 'self'${scripts ? ` ${scripts}` : ''}`,
		`style-src 'self'${styles ? ` ${styles}` : ''}`,
		"img-src 'self' data:",
		"media-src 'self'",
		"connect-src 'self'",
		"worker-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"frame-ancestors 'none'",
		"form-action 'self'",
	].join('; ');
}
/** @type {string | null} */
let customerPageCsp = null;
try {
	customerPageCsp = customerPolicy(readFileSync(join(customerDir, 'index.html'), 'utf8'));
} catch {
	/* no built customer app: its answers are 404s, which keep the strict policy */
}

/** A worker runs under the policy of its own script's answer: the console's heartbeat worker calls the API. */
const WORKER_CSP = "default-src 'none'; connect-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'";

const server = createServer((req, res) => {
	for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
	const pathname = (req.url ?? '/').split('?')[0] ?? '/';
	if (pathname.startsWith('/console/_app/immutable/workers/')) res.setHeader('content-security-policy', WORKER_CSP);
	if (pathname === '/console' || pathname.startsWith('/console/')) {
		req.headers[protocolHeader] ??= 'http';
		handler(req, res, () => {
			res.writeHead(404).end('Not found');
		});
		return;
	}
	serveCustomer(req, res, pathname).catch((error) => {
		console.error(error);
		if (!res.headersSent) res.writeHead(500);
		res.end();
	});
});

server.listen(port, host, () => {
	const shown = host.includes(':') ? `[${host}]` : host;
	console.log(`Support site: http://${shown}:${port}/`);
	console.log(`Console: http://${shown}:${port}/console`);
});

/** @param {NodeJS.Signals} signal */
async function shutdown(signal) {
	if (stopping) {
		process.exit(1); // a second signal: stop now
	}
	stopping = true;
	console.log(`${signal}: shutting down`);
	const force = setTimeout(
		() => {
			console.error('Shutdown timed out');
			process.exit(1);
		},
		Number(process.env.SHUTDOWN_TIMEOUT ?? 30) * 1000,
	);
	force.unref();

	server.close();
	server.closeIdleConnections();
	// Long-lived responses (SSE subscriptions) would keep server.close() waiting: end them.
	setTimeout(() => server.closeAllConnections(), 1000).unref();

	/** @type {Promise<unknown>[]} */
	const pending = [];
	process.emit(/** @type {any} */ ('tandem:shutdown'), /** @type {any} */ (pending));
	if (sfu && sfu.exitCode === null) {
		pending.push(new Promise((done) => sfu?.once('exit', done)));
		sfu.kill('SIGTERM');
	}
	const results = await Promise.allSettled(pending);
	for (const result of results) {
		if (result.status === 'rejected') console.error(result.reason);
	}
	process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
