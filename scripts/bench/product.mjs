// The built product as `npm run bench` drives it: the server (apps/console/server.js, PGlite in a temporary
// data directory, no media server unless asked) started on a free port, called over HTTP the way browsers
// call it, reps' console feeds read as SSE, and the server's own memory read through its inspector
// (V8's heap after a forced GC, RSS and its peak from /proc). Shared by the bench sections.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SERVER_JS = join(ROOT, 'apps/console/server.js');

export const now = () => performance.now();
export const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
export const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;

function percentile(sorted, p) {
	if (!sorted.length) return NaN;
	const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[i];
}
export function stats(samples) {
	const s = [...samples].sort((a, b) => a - b);
	return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99) };
}
export const line = (st) => `p50 ${fmt(st.p50)} ms  p95 ${fmt(st.p95)} ms  p99 ${fmt(st.p99)} ms`;

export const freePort = () =>
	new Promise((res, rej) => {
		const s = createServer();
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => res(port));
		});
		s.on('error', rej);
	});

/**
 * The product on a free port. Generous wrong-number limits (every client here is 127.0.0.1); `env` adds to
 * its environment. With `inspect`, V8's inspector listens on loopback so that `memory()` can force a GC.
 */
export async function startServer({
	env = {},
	inspect = false,
	dataDir = mkdtempSync(join(tmpdir(), 'tandem-bench-')),
	keepData = false,
} = {}) {
	const port = await freePort();
	const inspectPort = inspect ? await freePort() : null;
	const baseUrl = `http://127.0.0.1:${port}`;
	const server = spawn(process.execPath, [...(inspectPort ? ['--expose-gc', `--inspect=127.0.0.1:${inspectPort}`] : []), SERVER_JS], {
		cwd: ROOT,
		env: {
			...process.env,
			NODE_ENV: 'production',
			PORT: String(port),
			HOST: '127.0.0.1',
			TANDEM_DATA_DIR: dataDir,
			TANDEM_PUBLIC_URL: baseUrl,
			TANDEM_SFU: 'off',
			TANDEM_NUMBER_FREE_ATTEMPTS: '1000000',
			TANDEM_NUMBER_BACKOFF_BASE_MS: '1',
			TANDEM_NUMBER_BACKOFF_MAX_MS: '1',
			...env,
		},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	server.stdout.on('data', (d) => (output = (output + d).slice(-20_000)));
	server.stderr.on('data', (d) => (output = (output + d).slice(-20_000)));
	let inspector = null;
	const stop = async () => {
		inspector?.close();
		if (server.exitCode === null && server.signalCode === null) {
			server.kill('SIGTERM');
			const exited = new Promise((r) => server.once('exit', r));
			const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
			await exited;
			clearTimeout(timer);
		}
		if (!keepData) rmSync(dataDir, { recursive: true, force: true });
	};
	const deadline = Date.now() + 60_000;
	for (;;) {
		if (server.exitCode !== null) {
			await stop();
			throw new Error(`the server exited (${server.exitCode}): ${output.slice(-2000)}`);
		}
		try {
			const res = await fetch(`${baseUrl}/console/api/trpc/auth.status`);
			if (res.ok) break;
		} catch {
			/* not up yet */
		}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`the server did not come up in 60 s: ${output.slice(-2000)}`);
		}
		await new Promise((r) => setTimeout(r, 200));
	}
	if (inspectPort) inspector = await openInspector(inspectPort);
	/** The server's memory now: RSS and its peak (VmHWM), and — with `inspect` — V8's heap after a forced GC. */
	const memory = async () => {
		const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
		const kB = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1000;
		const heap = inspector ? { ...(await inspector.heapAfterGc()), wasm: await inspector.wasmMemory() } : null;
		return { rss: kB('VmRSS'), peakRss: kB('VmHWM'), ...heap };
	};
	/** RSS alone, read from /proc (no GC): cheap enough to sample under load. */
	const rss = () => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1] ?? NaN) * 1000;
	return { baseUrl, pid: server.pid, dataDir, stop, memory, rss, log: () => output };
}

/** The server's V8 inspector over its WebSocket (Node's own WebSocket client): force a GC, read the heap. */
async function openInspector(port) {
	const [target] = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
	const ws = new WebSocket(target.webSocketDebuggerUrl);
	await new Promise((res, rej) => {
		ws.onopen = res;
		ws.onerror = rej;
	});
	let next = 0;
	const pending = new Map();
	ws.onmessage = (m) => {
		const msg = JSON.parse(m.data);
		pending.get(msg.id)?.(msg);
		pending.delete(msg.id);
	};
	const send = (method, params) =>
		new Promise((res) => {
			const id = ++next;
			pending.set(id, res);
			ws.send(JSON.stringify({ id, method, params }));
		});
	return {
		/** Bytes of WebAssembly memory the process holds (PGlite's Postgres lives in one). */
		async wasmMemory() {
			const proto = await send('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype', objectGroup: 'bench' });
			const found = await send('Runtime.queryObjects', { prototypeObjectId: proto.result.result.objectId, objectGroup: 'bench' });
			const sum = await send('Runtime.callFunctionOn', {
				objectId: found.result.objects.objectId,
				functionDeclaration: 'function () { return this.reduce((n, m) => n + m.buffer.byteLength, 0); }',
				returnByValue: true,
			});
			await send('Runtime.releaseObjectGroup', { objectGroup: 'bench' });
			return sum.result.result.value;
		},
		async heapAfterGc() {
			const expression = 'globalThis.gc(), globalThis.gc(), JSON.stringify(process.memoryUsage())';
			const answer = await send('Runtime.evaluate', { expression, returnByValue: true });
			const usage = JSON.parse(answer.result.result.value);
			return { heapUsed: usage.heapUsed, external: usage.external, arrayBuffers: usage.arrayBuffers };
		},
		close: () => ws.close(),
	};
}

/**
 * Keep-alive connections, as many as there are callers at once: each simulated browser has its own. (fetch's
 * pool let the first requests of 200 callers wait for a connection while others reused theirs — a wait the
 * load generator made, not the server.)
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

/** A tRPC call over HTTP as the browser client makes it (no transformer: plain JSON). */
export async function call(baseUrl, path, { input, cookie, method = 'POST' } = {}) {
	const headers = { 'content-type': 'application/json' };
	if (cookie) headers.cookie = cookie;
	const url =
		method === 'GET'
			? `${baseUrl}/console/api/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`
			: `${baseUrl}/console/api/trpc/${path}`;
	const body = method === 'POST' ? JSON.stringify(input ?? null) : undefined;
	const res = await new Promise((resolve, reject) => {
		const req = http.request(url, { method, headers, agent }, (answer) => {
			let text = '';
			answer.setEncoding('utf8');
			answer.on('data', (chunk) => (text += chunk));
			answer.on('end', () => resolve({ status: answer.statusCode, headers: answer.headers, text }));
			answer.on('error', reject);
		});
		req.on('error', reject);
		req.end(body);
	});
	if (res.status < 200 || res.status >= 300) throw new Error(`${path}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
	return { data: JSON.parse(res.text).result?.data, res };
}

export function cookieFrom(res, name) {
	for (const c of res.headers['set-cookie'] ?? []) {
		const [pair] = c.split(';');
		if (pair.startsWith(`${name}=`)) return pair;
	}
	throw new Error(`no ${name} cookie in the response`);
}

/**
 * A rep's console feed: the SSE subscription, read with fetch's body reader. `next(type, sessionId, who)`
 * resolves with the arrival time of that event as the feed delivers it (`who` as the feed names it);
 * `onItem` also sees every item (an agent's offers).
 */
export function openFeed(baseUrl, cookie, { timeoutMs = 10_000, onItem: alsoTo } = {}) {
	const input = { as: 'rep', consoleId: randomBytes(12).toString('hex') };
	// A console beats every 5 s, or the server takes it for lost and ends its sessions after the grace period.
	const heartbeat = setInterval(
		() => void call(baseUrl, 'auth.heartbeat', { cookie, input: { consoleId: input.consoleId } }).catch(() => {}),
		5_000,
	);
	const waiters = new Map();
	/** Events that came before anyone waited for them. */
	const early = new Map();
	let resolveReady;
	let rejectReady;
	const ready = new Promise((res, rej) => ((resolveReady = res), (rejectReady = rej)));
	let closed = false;
	let received = 0;
	const keyOf = (type, sessionId, who) => `${type}\n${sessionId}\n${who}`;

	const onItem = (item, at) => {
		alsoTo?.(item, at);
		if (item?.kind === 'snapshot') resolveReady();
		if (item?.kind !== 'session') return;
		for (const e of item.events ?? []) {
			received++;
			const key = keyOf(e.type, e.sessionId, e.who);
			const w = waiters.get(key);
			if (w) {
				waiters.delete(key);
				w(at);
			} else {
				if (early.size >= 10_000) early.delete(early.keys().next().value);
				early.set(key, at);
			}
		}
	};

	const stream = openStream(baseUrl, 'feed.events', input, { cookie, onItem });
	stream.ended.catch((err) => {
		if (!closed) rejectReady(err);
	});

	return {
		ready,
		/** How many session events this feed has delivered. */
		get received() {
			return received;
		},
		next(type, sessionId, who) {
			const key = keyOf(type, sessionId, who);
			if (early.has(key)) {
				const at = early.get(key);
				early.delete(key);
				return Promise.resolve(at);
			}
			return new Promise((res, rej) => {
				const timer = setTimeout(() => {
					waiters.delete(key);
					rej(new Error(`no ${type} event for ${who} in ${timeoutMs / 1000} s`));
				}, timeoutMs);
				waiters.set(key, (at) => {
					clearTimeout(timer);
					res(at);
				});
			});
		},
		/** Resolves with the arrival time of `name` joining `sessionId`. */
		joined(sessionId, name) {
			return this.next('participant.joined', sessionId, name);
		},
		close() {
			closed = true;
			clearInterval(heartbeat);
			stream.close();
		},
	};
}

/**
 * A tRPC subscription read as SSE (the browsers' httpSubscriptionLink): `onItem(item, arrivedAt)` for each
 * item (tracked envelopes unwrapped). `ended` rejects if the stream fails or ends before `close()`.
 */
export function openStream(baseUrl, path, input, { cookie, onItem }) {
	const controller = new AbortController();
	let closed = false;
	const ended = (async () => {
		const headers = { accept: 'text/event-stream', ...(cookie ? { cookie } : {}) };
		const url = `${baseUrl}/console/api/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`;
		const res = await fetch(url, { headers, signal: controller.signal });
		if (!res.ok || !res.body) throw new Error(`${path}: HTTP ${res.status}`);
		const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
		let buf = '';
		let data = [];
		for (;;) {
			const { value, done } = await reader.read();
			if (done) break;
			const at = now();
			buf += value;
			let nl;
			while ((nl = buf.indexOf('\n')) >= 0) {
				const raw = buf.slice(0, nl).replace(/\r$/, '');
				buf = buf.slice(nl + 1);
				if (raw === '') {
					if (data.length) {
						let msg;
						try {
							msg = JSON.parse(data.join('\n'));
						} catch {
							msg = null;
						}
						data = [];
						// Tracked items arrive as { id, data } envelopes; others as the item itself.
						const item = msg && typeof msg === 'object' && 'data' in msg && 'id' in msg ? msg.data : msg;
						onItem(item, at);
					}
				} else if (raw.startsWith('data:')) data.push(raw.slice(5).replace(/^ /, ''));
			}
		}
		if (!closed) throw new Error(`${path}: the stream ended`);
	})().catch((err) => {
		if (!closed) throw err;
	});
	ended.catch(() => {}); // the caller decides whether an early end matters
	return {
		ended,
		close() {
			closed = true;
			controller.abort();
		},
	};
}

export async function pool(items, concurrency, fn) {
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(concurrency, items.length) }, async () => {
			while (next < items.length) {
				const i = next++;
				await fn(items[i], i);
			}
		}),
	);
}
