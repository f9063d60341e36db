// `npm run bench` section: join → visible at the rep (issue 3).
// The built product (apps/console/server.js, PGlite in a temp dir, no media server) is driven over HTTP the
// way browsers drive it. Reps sign in, each opens one console feed (the tRPC SSE subscription `feed.events`,
// one per page, carrying all of that rep's sessions) and starts many sessions. Then fresh customers join by
// number; each join is timed from just before its POST `session.join` to the moment the rep's feed delivers
// the `participant.joined` event for that session and name. Measured with 100 and 1,000 live sessions, beside
// a bare tRPC query round trip (`auth.status`). Figures and ratios only — nothing here asserts a budget.
import { call, cookieFrom, fmt, line, now, openFeed, pool, startServer, stats } from './product.mjs';

const SCALES = [
	{ sessions: 100, perRep: 25 }, // 4 reps' feeds
	{ sessions: 1000, perRep: 40 }, // 25 reps' feeds
];
const JOINS = 200; // timed joins at each scale
const JOIN_CONCURRENCY = 1; // sequential: each join alone, like the bare query loop
const BARE_QUERIES = 200;
const SETUP_BUDGET_MS = 150_000; // all setup together; past it we measure what we have

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
