// `npm run bench` section: join → visible at the rep (issue 3).
// The built product (apps/console/server.js, PGlite in a temp dir, no media server) is driven over HTTP the
// way browsers drive it. Reps sign in, each opens one console feed (the tRPC SSE subscription `feed.events`,
// one per page, carrying all of that rep's sessions) and starts many sessions. Then fresh customers join by
// number; each join is timed from just before its POST `session.join` to the moment the rep's feed delivers
// the `participant.joined` event for that session and name. Measured with 100 and 1,000 live sessions, beside
// a bare tRPC query round trip (`auth.status`). Figures and ratios only — nothing here asserts a budget.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SERVER_JS = join(ROOT, 'apps/console/server.js');

const SCALES = [
	{ sessions: 100, perRep: 25 }, // 4 reps' feeds
	{ sessions: 1000, perRep: 40 }, // 25 reps' feeds
];
const JOINS = 200; // timed joins at each scale
const JOIN_CONCURRENCY = 1; // sequential: each join alone, like the bare query loop
const BARE_QUERIES = 200;
const SETUP_BUDGET_MS = 150_000; // all setup together; past it we measure what we have
const EVENT_TIMEOUT_MS = 10_000;

const now = () => performance.now();
const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

function percentile(sorted, p) {
	if (!sorted.length) return NaN;
	const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[i];
}
function stats(samples) {
	const s = [...samples].sort((a, b) => a - b);
	return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99) };
}
const line = (st) => `p50 ${fmt(st.p50)} ms  p95 ${fmt(st.p95)} ms  p99 ${fmt(st.p99)} ms`;

const freePort = () =>
	new Promise((res, rej) => {
		const s = createServer();
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => res(port));
		});
		s.on('error', rej);
	});

async function startServer() {
	const dataDir = mkdtempSync(join(tmpdir(), 'tandem-bench-join-'));
	const port = await freePort();
	const baseUrl = `http://127.0.0.1:${port}`;
	const server = spawn(process.execPath, [SERVER_JS], {
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
		},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	server.stdout.on('data', (d) => (output = (output + d).slice(-20_000)));
	server.stderr.on('data', (d) => (output = (output + d).slice(-20_000)));
	const stop = async () => {
		if (server.exitCode === null && server.signalCode === null) {
			server.kill('SIGTERM');
			const exited = new Promise((r) => server.once('exit', r));
			const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
			await exited;
			clearTimeout(timer);
		}
		rmSync(dataDir, { recursive: true, force: true });
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
	return { baseUrl, stop, log: () => output };
}

/** A tRPC call over HTTP as the browser client makes it (no transformer: plain JSON). */
async function call(baseUrl, path, { input, cookie, method = 'POST' } = {}) {
	const headers = { 'content-type': 'application/json' };
	if (cookie) headers.cookie = cookie;
	const url =
		method === 'GET'
			? `${baseUrl}/console/api/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`
			: `${baseUrl}/console/api/trpc/${path}`;
	const res = await fetch(url, { method, headers, body: method === 'POST' ? JSON.stringify(input ?? null) : undefined });
	const text = await res.text();
	if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
	return { data: JSON.parse(text).result?.data, res };
}

function cookieFrom(res, name) {
	for (const c of res.headers.getSetCookie()) {
		const [pair] = c.split(';');
		if (pair.startsWith(`${name}=`)) return pair;
	}
	throw new Error(`no ${name} cookie in the response`);
}

/** A rep's console feed: the SSE subscription, read with fetch's body reader. */
function openFeed(baseUrl, cookie) {
	const input = { as: 'rep', consoleId: randomBytes(12).toString('hex') };
	const controller = new AbortController();
	/** `${sessionId}\n${name}` → resolve(arrivalTime) */
	const waiters = new Map();
	/** joined events that came before anyone waited for them (should not happen, but keep them) */
	const early = new Map();
	let resolveReady;
	let rejectReady;
	const ready = new Promise((res, rej) => ((resolveReady = res), (rejectReady = rej)));
	let closed = false;

	const onItem = (item, at) => {
		if (item?.kind === 'snapshot') resolveReady();
		if (item?.kind !== 'session') return;
		for (const e of item.events ?? []) {
			if (e.type !== 'participant.joined') continue;
			const key = `${e.sessionId}\n${e.who}`;
			const w = waiters.get(key);
			if (w) {
				waiters.delete(key);
				w(at);
			} else early.set(key, at);
		}
	};

	(async () => {
		const res = await fetch(`${baseUrl}/console/api/trpc/feed.events?input=${encodeURIComponent(JSON.stringify(input))}`, {
			headers: { cookie, accept: 'text/event-stream' },
			signal: controller.signal,
		});
		if (!res.ok || !res.body) throw new Error(`feed: HTTP ${res.status}`);
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
		if (!closed) throw new Error('feed ended');
	})().catch((err) => {
		if (!closed) rejectReady(err);
	});

	return {
		ready,
		/** Resolves with the arrival time of `name` joining `sessionId` as this feed delivers it. */
		joined(sessionId, name) {
			const key = `${sessionId}\n${name}`;
			if (early.has(key)) {
				const at = early.get(key);
				early.delete(key);
				return Promise.resolve(at);
			}
			return new Promise((res, rej) => {
				const timer = setTimeout(() => {
					waiters.delete(key);
					rej(new Error(`no joined event for ${name} in ${EVENT_TIMEOUT_MS / 1000} s`));
				}, EVENT_TIMEOUT_MS);
				waiters.set(key, (at) => {
					clearTimeout(timer);
					res(at);
				});
			});
		},
		close() {
			closed = true;
			controller.abort();
		},
	};
}

async function pool(items, concurrency, fn) {
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

export async function joinLatency() {
	console.log('\n## Join → visible at the rep (HTTP + SSE, PGlite)');
	const t0 = now();
	const server = await startServer();
	/** @type {{ cookie: string, feed: ReturnType<typeof openFeed>, sessions: { id: string, number: string }[] }[]} */
	const reps = [];
	let customerSeq = 0;
	try {
		const { baseUrl } = server;
		const admin = await call(baseUrl, 'auth.createFirstAdmin', {
			input: { name: 'Bench Admin', email: 'admin@bench.example', password: 'bench-password-1' },
		});
		const adminCookie = cookieFrom(admin.res, 'tandem_rep');
		await call(baseUrl, 'admin.updateSettings', {
			cookie: adminCookie,
			input: { maxSessionsPerRep: 50, maxCustomersPerRep: 100 },
		});

		// Warm up the server's paths once, so the first figures are not JIT and first-query costs.
		for (let i = 0; i < 20; i++) await call(baseUrl, 'auth.status', { method: 'GET' });

		const addRep = async () => {
			const n = reps.length + 1;
			const email = `rep${n}@bench.example`;
			const password = 'bench-password-1';
			await call(baseUrl, 'admin.createRep', {
				cookie: adminCookie,
				input: { name: `Rep ${n}`, email, password, isRep: true, sessionMode: 'multi' },
			});
			const signIn = await call(baseUrl, 'auth.signIn', { input: { email, password } });
			const cookie = cookieFrom(signIn.res, 'tandem_rep');
			const feed = openFeed(baseUrl, cookie);
			const rep = { cookie, feed, sessions: [] };
			reps.push(rep);
			await feed.ready;
			return rep;
		};
		const startSessions = async (rep, count) => {
			for (let i = 0; i < count; i++) {
				const { data } = await call(baseUrl, 'session.start', { cookie: rep.cookie });
				rep.sessions.push({ id: data.id, number: data.number });
			}
		};
		const liveSessions = () => reps.reduce((n, r) => n + r.sessions.length, 0);

		const results = [];
		let setupNote = '';
		for (const scale of SCALES) {
			const tSetup = now();
			const repsNeeded = Math.ceil(scale.sessions / scale.perRep);
			while (reps.length < repsNeeded) await addRep();
			// Fill reps up to `perRep` sessions each (2 reps at a time) until the scale is reached.
			const plan = [];
			let missing = scale.sessions - liveSessions();
			for (const rep of reps) {
				const add = Math.max(0, Math.min(scale.perRep - rep.sessions.length, missing));
				if (add) plan.push([rep, add]);
				missing -= add;
			}
			let outOfTime = false;
			await pool(plan, 2, async ([rep, add]) => {
				for (let i = 0; i < add && !outOfTime; i++) {
					if (now() - t0 > SETUP_BUDGET_MS) outOfTime = true;
					else await startSessions(rep, 1);
				}
			});
			const live = liveSessions();
			if (outOfTime) setupNote = ` (setup ran out of time: ${live} of ${scale.sessions} sessions started)`;
			const setupMs = now() - tSetup;

			const all = reps.flatMap((rep) => rep.sessions.map((s) => ({ rep, s })));
			// Before the first timed joins, a few untimed ones: the join path's first runs (JIT, first queries).
			if (!results.length) {
				for (let i = 0; i < 20; i++) {
					const { rep, s } = all[(i * 7) % all.length];
					const name = `Warm-up ${i}`;
					const arrived = rep.feed.joined(s.id, name);
					await call(baseUrl, 'session.join', { input: { number: s.number, name } });
					await arrived;
				}
			}
			// Timed joins, spread evenly over all live sessions.
			const targets = Array.from({ length: JOINS }, (_, i) => all[Math.floor((i * all.length) / JOINS) % all.length]);
			const samples = [];
			const responses = [];
			let failures = 0;
			await pool(targets, JOIN_CONCURRENCY, async ({ rep, s }) => {
				const name = `Customer ${++customerSeq}`;
				const arrived = rep.feed.joined(s.id, name);
				const start = now();
				try {
					await call(baseUrl, 'session.join', { input: { number: s.number, name } });
					responses.push(now() - start);
					samples.push((await arrived) - start);
				} catch (err) {
					arrived.catch(() => {});
					if (++failures <= 3) console.log(`  (a join failed: ${err instanceof Error ? err.message : err})`);
				}
			});
			results.push({ live, feeds: reps.length, st: stats(samples), resp: stats(responses), failures, setupMs, note: setupNote });
			if (outOfTime) break;
		}

		// Bare tRPC query round trip, with all the sessions and feeds still live.
		const bare = [];
		for (let i = 0; i < BARE_QUERIES; i++) {
			const start = now();
			await call(baseUrl, 'auth.status', { method: 'GET' });
			bare.push(now() - start);
		}
		const bareSt = stats(bare);

		const labels = results.map((r) => `  ${r.live} live sessions (${r.feeds} reps' feeds):`);
		const bareLabel = '  bare tRPC query (auth.status):';
		const width = Math.max(bareLabel.length, ...labels.map((l) => l.length)) + 1;
		results.forEach((r, i) => {
			const extra = [
				r.failures ? `${r.failures} of ${JOINS} joins failed` : '',
				`join's own HTTP response p50 ${fmt(r.resp.p50)} ms`,
				`${r.st.n} joins, set up in ${(r.setupMs / 1000).toFixed(1)} s`,
			]
				.filter(Boolean)
				.join('; ');
			console.log(
				`${labels[i].padEnd(width)}${line(r.st)}  — ratio to bare query p50 ${(r.st.p50 / bareSt.p50).toFixed(1)}×` +
					`  (${extra})${r.note}`,
			);
		});
		console.log(`${bareLabel.padEnd(width)}${line(bareSt)}  (${bareSt.n} queries)`);
		if (results.length >= 2) {
			const [a, b] = results;
			console.log(
				`  ${b.live} vs ${a.live} sessions: p50 ${(b.st.p50 / a.st.p50).toFixed(2)}×  p95 ${(b.st.p95 / a.st.p95).toFixed(2)}×  p99 ${(b.st.p99 / a.st.p99).toFixed(2)}×`,
			);
		}
		console.log(`  (joins ${JOIN_CONCURRENCY} at a time, each a fresh customer; section took ${((now() - t0) / 1000).toFixed(0)} s)`);
	} finally {
		for (const rep of reps) rep.feed.close();
		await server.stop();
	}
}
