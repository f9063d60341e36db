// `npm run bench` section: the soak (issue "Hold under attack", finding 8). The built product on PGlite, no
// media server, driven over HTTP and SSE as browsers drive it:
//  1. 1,000 live sessions (25 reps' consoles, each with its feed and heartbeat; some sessions assisted) under
//     a mix of customers joining and leaving and control transferred to the assistant and back. Each command
//     is timed from its request to the event at the controlling rep's feed; an acknowledged command whose
//     event never arrives is a lost event.
//  2. 200 customers at once joining and leaving as fast as they can (the load that had left the server at
//     ~950 MB): join p99, goal ≤ 100 ms.
// After each, a minute idle. Memory at start, peak and after the idle minute: RSS (and its peak), and V8's
// heap after a forced GC (through the server's inspector). Figures only; nothing here fails on a number.
import { call, cookieFrom, line, mb, now, openFeed, startServer, stats } from './product.mjs';

const SESSIONS = 1000;
const PER_REP = 40;
const ASSISTED_PER_REP = 4; // sessions of each rep that the next rep assists (transfers go there and back)
const MIXED_SECONDS = Number(process.env.TANDEM_SOAK_SECONDS ?? 120);
const MIXED_WORKERS = 16;
const CHURNERS = 200;
const CHURN_SECONDS = Number(process.env.TANDEM_CHURN_SECONDS ?? 60);
const IDLE_SECONDS = Number(process.env.TANDEM_IDLE_SECONDS ?? 60);
const MAX_CUSTOMERS_PER_SESSION = 2;

const pick = (list) => list[Math.floor(Math.random() * list.length)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Memory now, in the words the report prints. */
const memoryLine = (m) =>
	`RSS ${mb(m.rss)}, V8 heap after GC ${mb(m.heapUsed)}, PGlite's WebAssembly memory ${mb(m.wasm)}, external ${mb(m.external)}`;

/** Samples RSS every second while `work` runs (no GC forced); returns the highest seen. */
async function peakRssDuring(server, work) {
	let peak = 0;
	let running = true;
	const sampler = (async () => {
		while (running) {
			peak = Math.max(peak, server.rss());
			await sleep(1_000);
		}
	})();
	try {
		await work();
	} finally {
		running = false;
		await sampler;
	}
	return peak;
}

export async function soak() {
	console.log(`\n## Soak (HTTP + SSE, PGlite): ${SESSIONS.toLocaleString('en')} live sessions under churn, then ${CHURNERS} churners`);
	const t0 = now();
	// The data directory is made by a first run (PostgreSQL's initdb inside PGlite takes ~300 MB for a moment):
	// the soak's server opens it as a restarted production server would.
	const first = await startServer({ keepData: true });
	await first.stop();
	const server = await startServer({ inspect: true, dataDir: first.dataDir });
	const reps = [];
	let seq = 0;
	try {
		const { baseUrl } = server;
		const admin = await call(baseUrl, 'auth.createFirstAdmin', {
			input: { name: 'Bench Admin', email: 'admin@bench.example', password: 'bench-password-1' },
		});
		const adminCookie = cookieFrom(admin.res, 'tandem_rep');
		await call(baseUrl, 'admin.updateSettings', { cookie: adminCookie, input: { maxSessionsPerRep: 50, maxCustomersPerRep: 100 } });

		// ------------------------------------------------------------ set-up: reps, their consoles, sessions
		const repCount = Math.ceil(SESSIONS / PER_REP);
		for (let n = 1; n <= repCount; n++) {
			const email = `soak${n}@bench.example`;
			const password = 'bench-password-1';
			await call(baseUrl, 'admin.createRep', {
				cookie: adminCookie,
				input: { name: `Rep ${n}`, email, password, isRep: true, sessionMode: 'multi' },
			});
			const cookie = cookieFrom((await call(baseUrl, 'auth.signIn', { input: { email, password } })).res, 'tandem_rep');
			const feed = openFeed(baseUrl, cookie);
			await feed.ready;
			reps.push({ name: `Rep ${n}`, cookie, feed });
		}
		/** Every session: its number, who controls it (a rep), its assistant if any, its customers. */
		const sessions = [];
		await Promise.all(
			reps.map(async (rep) => {
				for (let i = 0; i < PER_REP && sessions.length < SESSIONS; i++) {
					const { data } = await call(baseUrl, 'session.start', { cookie: rep.cookie });
					sessions.push({ id: data.id, number: data.number, owner: rep, controller: rep, assistant: null, customers: [], busy: false });
				}
			}),
		);
		for (const [i, rep] of reps.entries()) {
			const next = reps[(i + 1) % reps.length];
			for (const s of sessions.filter((x) => x.owner === rep).slice(0, ASSISTED_PER_REP)) {
				await call(baseUrl, 'session.assist', { cookie: next.cookie, input: { number: s.number } });
				s.assistant = next;
			}
		}
		const setupSeconds = (now() - t0) / 1000;
		const start = await server.memory();
		console.log(
			`  set up: ${sessions.length} sessions of ${reps.length} reps (${sessions.filter((s) => s.assistant).length} assisted) in ${setupSeconds.toFixed(0)} s`,
		);
		console.log(`  start: ${memoryLine(start)}`);

		// ------------------------------------------------------------ 1. the mixed soak
		const latency = { join: [], leave: [], transfer: [] };
		let acknowledged = 0;
		let lost = 0;
		let errors = 0;
		const firstErrors = [];
		const noteError = (err) => {
			errors++;
			if (firstErrors.length < 3) firstErrors.push(err instanceof Error ? err.message : String(err));
		};
		/** Runs one command and times it to its event at the controller's feed. */
		const timed = async (kind, feed, type, sessionId, who, send) => {
			const arrived = feed.next(type, sessionId, who);
			const begin = now();
			try {
				await send();
			} catch (err) {
				arrived.catch(() => {});
				noteError(err);
				return false;
			}
			acknowledged++;
			try {
				latency[kind].push((await arrived) - begin);
			} catch {
				lost++;
			}
			return true;
		};
		const join = async (s) => {
			const name = `Customer ${++seq}`;
			let cookie = null;
			const ok = await timed('join', s.controller.feed, 'participant.joined', s.id, name, async () => {
				const { res } = await call(baseUrl, 'session.join', { input: { number: s.number, name } });
				cookie = cookieFrom(res, 'tandem_customer');
			});
			if (ok) s.customers.push({ name, cookie });
		};
		const leave = async (s) => {
			const c = s.customers.shift();
			await timed('leave', s.controller.feed, 'participant.left', s.id, c.name, () =>
				call(baseUrl, 'session.leave', { cookie: c.cookie, input: { sessionId: s.id } }),
			);
		};
		/** Control to the assistant and back, each timed to the event at the new controller's feed. */
		const transferAndBack = async (s) => {
			for (const to of [s.assistant, s.owner]) {
				const from = s.controller;
				const toParticipant = s.participantIds?.get(to) ?? null;
				if (!toParticipant) return;
				const ok = await timed('transfer', to.feed, 'control.transferred', s.id, from.name, () =>
					call(baseUrl, 'session.transferControl', { cookie: from.cookie, input: { sessionId: s.id, to: toParticipant, leave: false } }),
				);
				if (!ok) return;
				s.controller = to;
			}
		};
		// Who is who in the assisted sessions (a transfer names its target by participant id).
		await loadParticipantIds(baseUrl, sessions);

		const mixedPeak = await peakRssDuring(server, async () => {
			const until = now() + MIXED_SECONDS * 1000;
			await Promise.all(
				Array.from({ length: MIXED_WORKERS }, async () => {
					while (now() < until) {
						const s = pick(sessions);
						if (s.busy) continue;
						s.busy = true;
						try {
							const r = Math.random();
							if (r < 0.05 && s.assistant) await transferAndBack(s);
							else if (s.customers.length > 0 && (r < 0.4 || s.customers.length >= MAX_CUSTOMERS_PER_SESSION)) await leave(s);
							else await join(s);
						} finally {
							s.busy = false;
						}
					}
				}),
			);
		});
		const mixedEnd = await server.memory();
		await sleep(IDLE_SECONDS * 1000);
		const mixedIdle = await server.memory();
		const all = [...latency.join, ...latency.leave, ...latency.transfer];
		console.log(
			`  1. ${MIXED_SECONDS} s of joins, leaves and transfers (${MIXED_WORKERS} at a time): ${acknowledged} acknowledged commands, ${errors} errors, ${lost} lost events`,
		);
		if (firstErrors.length) console.log(`     (first errors: ${firstErrors.join(' | ')})`);
		console.log(`     event latency, request → controller's feed: ${line(stats(all))}`);
		for (const [kind, samples] of Object.entries(latency))
			console.log(`       ${kind.padEnd(8)} ${line(stats(samples))}  (${samples.length})`);
		console.log(`     memory at the end: ${memoryLine(mixedEnd)}; peak RSS ${mb(mixedPeak)}`);
		console.log(
			`     after ${IDLE_SECONDS} s idle: ${memoryLine(mixedIdle)} — heap ${ratio(mixedIdle.heapUsed, start.heapUsed)} of the start, RSS ${ratio(mixedIdle.rss, start.rss)}`,
		);

		// ------------------------------------------------------------ 2. the churners
		const joins = [];
		let churnErrors = 0;
		const churnFirst = [];
		const before = await server.memory();
		const churnPeak = await peakRssDuring(server, async () => {
			const until = now() + CHURN_SECONDS * 1000;
			await Promise.all(
				Array.from({ length: CHURNERS }, async () => {
					while (now() < until) {
						const s = pick(sessions);
						const name = `Churner ${++seq}`;
						try {
							const begin = now();
							const { res } = await call(baseUrl, 'session.join', { input: { number: s.number, name } });
							joins.push(now() - begin);
							await call(baseUrl, 'session.leave', { cookie: cookieFrom(res, 'tandem_customer'), input: { sessionId: s.id } });
						} catch (err) {
							churnErrors++;
							if (churnFirst.length < 3) churnFirst.push(err instanceof Error ? err.message : String(err));
						}
					}
				}),
			);
		});
		const churnEnd = await server.memory();
		await sleep(IDLE_SECONDS * 1000);
		const churnIdle = await server.memory();
		const joinStats = stats(joins);
		console.log(
			`  2. ${CHURNERS} customers joining and leaving for ${CHURN_SECONDS} s: ${joins.length} joins (${(joins.length / CHURN_SECONDS).toFixed(0)} a second), ${churnErrors} errors`,
		);
		if (churnFirst.length) console.log(`     (first errors: ${churnFirst.join(' | ')})`);
		console.log(`     join (its HTTP answer): ${line(joinStats)} — p99 goal 100 ms, ratio ${(joinStats.p99 / 100).toFixed(2)}`);
		console.log(`     memory before: ${memoryLine(before)}; at the end: RSS ${mb(churnEnd.rss)}; peak RSS ${mb(churnPeak)}`);
		console.log(
			`     after ${IDLE_SECONDS} s idle: ${memoryLine(churnIdle)} — heap ${ratio(churnIdle.heapUsed, start.heapUsed)} of the start, RSS ${ratio(churnIdle.rss, start.rss)}`,
		);
		console.log(`  (section took ${((now() - t0) / 1000).toFixed(0)} s)`);
	} finally {
		for (const rep of reps) rep.feed.close();
		await server.stop();
	}
}

const ratio = (value, base) => `${((value / base) * 100).toFixed(0)} %`;

/** Each assisted session's participant id per rep, from the reps' feeds' snapshots (as a console knows them). */
async function loadParticipantIds(baseUrl, sessions) {
	const byRep = new Map();
	for (const s of sessions.filter((x) => x.assistant)) {
		for (const rep of [s.owner, s.assistant]) byRep.set(rep, rep);
	}
	for (const rep of byRep.keys()) {
		for (const view of await snapshotOf(baseUrl, rep.cookie)) {
			const s = sessions.find((x) => x.id === view.id);
			if (!s || !view.me) continue;
			s.participantIds ??= new Map();
			s.participantIds.set(rep, view.me.participantId);
		}
	}
}

async function snapshotOf(baseUrl, cookie) {
	const abort = new AbortController();
	const res = await fetch(`${baseUrl}/console/api/trpc/feed.events?input=${encodeURIComponent(JSON.stringify({ as: 'rep' }))}`, {
		headers: { cookie },
		signal: abort.signal,
	});
	const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
	let text = '';
	while (!/\ndata: .*"snapshot"/.test(text) || !text.endsWith('\n\n')) {
		const { value, done } = await reader.read();
		if (done) break;
		text += value;
	}
	abort.abort();
	const data = text
		.split('\n')
		.find((l) => l.startsWith('data: ') && l.includes('"snapshot"'))
		.slice(6);
	const msg = JSON.parse(data);
	return (msg.data ?? msg).sessions;
}
