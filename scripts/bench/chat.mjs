// `npm run bench` section: chat send → shown at every participant (issue 10). The built product over HTTP
// with 1,000 live sessions (25 reps' consoles, 40 sessions each, feeds open), and one session of 10
// participants — its controller, two assistants and seven customers, each with their page's feed open.
// Each line is timed from just before its POST chat.send to the moment each of the other nine feeds
// delivers it (and to the last of them), beside a bare tRPC query round trip in the same run.
// Figures and ratios only — nothing here asserts a budget.
import { call, cookieFrom, fmt, line, now, openFeed, openStream, pool, startServer, stats } from './product.mjs';

const LIVE_SESSIONS = 1_000;
const PER_REP = 40;
const LINES = 200;
const BARE_QUERIES = 200;
const WAIT_MS = 10_000;

export async function chat() {
	console.log('\n## Chat: send → shown at every participant, 10 people in the session, 1,000 sessions live (HTTP + SSE, PGlite)');
	const t0 = now();
	const server = await startServer();
	const closers = [];
	try {
		const { baseUrl } = server;
		const admin = await call(baseUrl, 'auth.createFirstAdmin', {
			input: { name: 'Bench Admin', email: 'admin@bench.example', password: 'bench-password-1' },
		});
		const adminCookie = cookieFrom(admin.res, 'tandem_rep');
		await call(baseUrl, 'admin.updateSettings', { cookie: adminCookie, input: { maxSessionsPerRep: 50, maxCustomersPerRep: 100 } });
		let reps = 0;
		/** A signed-in rep with their console's feed open; `onItem` sees what it delivers. */
		const addRep = async (onItem) => {
			const n = ++reps;
			const email = `rep${n}@bench.example`;
			const password = 'bench-password-1';
			await call(baseUrl, 'admin.createRep', {
				cookie: adminCookie,
				input: { name: `Rep ${n}`, email, password, isRep: true, sessionMode: 'multi' },
			});
			const cookie = cookieFrom((await call(baseUrl, 'auth.signIn', { input: { email, password } })).res, 'tandem_rep');
			const feed = openFeed(baseUrl, cookie, onItem ? { onItem } : {});
			closers.push(feed);
			await feed.ready;
			return { cookie, name: `Rep ${n}` };
		};

		// 1,000 live sessions around it.
		await pool(
			Array.from({ length: LIVE_SESSIONS / PER_REP }, (_, i) => i),
			4,
			async () => {
				const rep = await addRep();
				for (let i = 0; i < PER_REP; i++) await call(baseUrl, 'session.start', { cookie: rep.cookie });
			},
		);
		const setupS = (now() - t0) / 1000;

		// The measured session: everyone's feed tells `heard(text, who, at)` when a chat line arrives.
		const arrivals = new Map();
		const heardBy = (who) => (item, at) => {
			if (item?.kind !== 'session') return;
			for (const e of item.events ?? []) if (e.type === 'chat.posted') arrivals.get(e.text)?.(who, at);
		};
		const controller = await addRep(heardBy('controller'));
		const { data: started } = await call(baseUrl, 'session.start', { cookie: controller.cookie });
		const sessionId = started.id;
		const people = [{ who: 'controller', cookie: controller.cookie }];
		for (let a = 1; a <= 2; a++) {
			const who = `assistant ${a}`;
			const rep = await addRep(heardBy(who));
			await call(baseUrl, 'session.assist', { cookie: rep.cookie, input: { number: started.number } });
			people.push({ who, cookie: rep.cookie });
		}
		for (let c = 1; c <= 7; c++) {
			const who = `customer ${c}`;
			const joined = await call(baseUrl, 'session.join', { input: { number: started.number, name: `Customer ${c}` } });
			const cookie = cookieFrom(joined.res, 'tandem_customer');
			let ready;
			const snapshot = new Promise((resolve) => (ready = resolve));
			const hear = heardBy(who);
			closers.push(
				openStream(
					baseUrl,
					'feed.events',
					{ as: 'customer' },
					{
						cookie,
						onItem: (item, at) => {
							if (item?.kind === 'snapshot') ready();
							hear(item, at);
						},
					},
				),
			);
			await snapshot;
			people.push({ who, cookie });
		}

		// Warm up, then the bare round trip.
		for (let i = 0; i < 20; i++) await call(baseUrl, 'auth.status', { method: 'GET' });
		const bare = [];
		for (let i = 0; i < BARE_QUERIES; i++) {
			const t = now();
			await call(baseUrl, 'auth.status', { method: 'GET' });
			bare.push(now() - t);
		}

		// Lines from each of the ten in turn, one at a time.
		const each = [];
		const all = [];
		for (let i = 0; i < LINES; i++) {
			const sender = people[i % people.length];
			const text = `line ${i} from ${sender.who}`;
			const others = new Set(people.filter((p) => p !== sender).map((p) => p.who));
			const done = new Promise((resolve, reject) => {
				const timer = setTimeout(() => reject(new Error(`chat bench: "${text}" not heard by ${[...others].join(', ')}`)), WAIT_MS);
				arrivals.set(text, (who, at) => {
					if (!others.delete(who)) return;
					each.push(at - sentAt);
					if (others.size === 0) {
						clearTimeout(timer);
						resolve(at);
					}
				});
			});
			const sentAt = now();
			await call(baseUrl, 'chat.send', {
				cookie: sender.cookie,
				input: { sessionId, messageId: crypto.randomUUID(), text },
			});
			all.push((await done) - sentAt);
			arrivals.delete(text);
		}

		const bareSt = stats(bare);
		const eachSt = stats(each);
		const allSt = stats(all);
		console.log(`setup: ${LIVE_SESSIONS} live sessions in ${fmt(setupS)} s; the session of 10: 1 controller, 2 assistants, 7 customers`);
		console.log(`bare query (auth.status)            ${line(bareSt)}`);
		console.log(`send → shown at each other person   ${line(eachSt)}  (${each.length} deliveries)`);
		console.log(`send → shown at all nine            ${line(allSt)}  (${all.length} lines)`);
		console.log(`ratio to the bare query (p50): each ${fmt(eachSt.p50 / bareSt.p50)}×, all ${fmt(allSt.p50 / bareSt.p50)}×`);
		console.log(`section: ${fmt((now() - t0) / 1000)} s`);
	} finally {
		for (const c of closers) c.close();
		await server.stop();
	}
}
