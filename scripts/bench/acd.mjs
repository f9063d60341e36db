// `npm run bench` section: WebACD under load (issue 9). The built product over HTTP with 100 agents (ten queues
// of ten, each agent's console feed open, all chosen busy) and 1,000 customers waiting over the ten queues,
// each with their own page's feed open. Two figures, beside a bare tRPC query round trip in the same run:
//   - enqueued → offer on an agent's screen: a customer asks for help in an eleventh queue whose one agent is
//     available; timed from just before the POST acd.requestHelp to the agent's feed delivering the offer.
//     Every routing pass looks at all 1,001 waiting sessions, so this is the cost of routing at that size.
//   - a place in line changing: the first customer of a queue leaves the line; timed from just before the POST
//     to each of the other 99 customers' feeds delivering their new place.
// Figures and ratios only — nothing here asserts a budget.
import { call, cookieFrom, fmt, line, now, openFeed, openStream, pool, startServer, stats } from './product.mjs';

const QUEUES = 10;
const AGENTS_PER_QUEUE = 10;
const WAITING = 1_000;
const PROBES = 100;
const LEAVES = 10;
const BARE_QUERIES = 200;
const WAIT_MS = 20_000;

/** Resolves with `at` when `key` is told; times out after WAIT_MS. */
function arrivals() {
	const waiters = new Map();
	const early = new Map();
	return {
		tell(key, at) {
			const w = waiters.get(key);
			if (w) {
				waiters.delete(key);
				w(at);
			} else early.set(key, at);
		},
		wait(key) {
			if (early.has(key)) {
				const at = early.get(key);
				early.delete(key);
				return Promise.resolve(at);
			}
			return new Promise((resolve, reject) => {
				const timer = setTimeout(() => {
					waiters.delete(key);
					reject(new Error(`acd bench: nothing for ${key} in ${WAIT_MS / 1000} s`));
				}, WAIT_MS);
				waiters.set(key, (at) => {
					clearTimeout(timer);
					resolve(at);
				});
			});
		},
	};
}

export async function acd() {
	console.log('\n## WebACD: enqueued → offer, and a place in line changing (HTTP + SSE, PGlite)');
	const t0 = now();
	// Each customer comes from an address of their own (Get help is limited per client address).
	const server = await startServer({ env: { TANDEM_TRUST_PROXY: 'true' } });
	const feeds = [];
	try {
		const { baseUrl } = server;
		const admin = await call(baseUrl, 'auth.createFirstAdmin', {
			input: { name: 'Bench Admin', email: 'admin@bench.example', password: 'bench-password-1' },
		});
		const adminCookie = cookieFrom(admin.res, 'tandem_rep');
		const reps = (await call(baseUrl, 'admin.reps', { cookie: adminCookie, method: 'GET' })).data;
		// The first administrator is an agent too: away, and in no queue, they change nothing here.
		const first = reps.find((r) => r.email === 'admin@bench.example');
		await call(baseUrl, 'admin.updateRep', { cookie: adminCookie, input: { id: first.id, isAgent: false } });

		/** A signed-in agent with their console feed open. */
		const addAgent = async (n, onItem) => {
			const email = `agent${n}@bench.example`;
			const password = 'bench-password-1';
			const { data } = await call(baseUrl, 'admin.createRep', {
				cookie: adminCookie,
				input: { name: `Agent ${n}`, email, password, isRep: true, isAgent: true },
			});
			const cookie = cookieFrom((await call(baseUrl, 'auth.signIn', { input: { email, password } })).res, 'tandem_rep');
			const feed = openFeed(baseUrl, cookie, { onItem });
			feeds.push(feed);
			await feed.ready;
			return { id: data.id, cookie };
		};

		const agents = [];
		await pool(
			Array.from({ length: QUEUES * AGENTS_PER_QUEUE }, (_, i) => i + 1),
			4,
			async (n) => {
				const a = await addAgent(n);
				await call(baseUrl, 'acd.setState', { cookie: a.cookie, input: { state: 'busy' } });
				agents[n - 1] = a;
			},
		);
		const queues = [];
		for (let q = 0; q < QUEUES; q++) {
			const members = agents.slice(q * AGENTS_PER_QUEUE, (q + 1) * AGENTS_PER_QUEUE).map((a) => a.id);
			const { data } = await call(baseUrl, 'admin.createQueue', {
				cookie: adminCookie,
				input: { name: `Queue ${q + 1}`, members, routing: 'mostIdle', openToCustomers: true },
			});
			queues.push(data.id);
		}

		// 1,000 customers ask for help, each with their page's feed open: their place in line as told.
		const places = arrivals();
		/** @type {{ sessionId: string, cookie: string, queue: number, position: number | null }[]} */
		const customers = [];
		let address = 0;
		const ask = async (queueId, name) => {
			address++;
			const headers = { 'x-forwarded-for': `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}` };
			const res = await fetch(`${baseUrl}/console/api/trpc/acd.requestHelp`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', ...headers },
				body: JSON.stringify({ name, problem: 'The printer is offline', queueId }),
			});
			if (!res.ok) throw new Error(`acd.requestHelp: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
			const cookie = res.headers
				.getSetCookie()
				.map((c) => c.split(';')[0])
				.find((c) => c.startsWith('tandem_customer='));
			return { sessionId: (await res.json()).result.data.sessionId, cookie };
		};
		await pool(
			Array.from({ length: WAITING }, (_, i) => i),
			8,
			async (i) => {
				const queue = i % QUEUES;
				const { sessionId, cookie } = await ask(queues[queue], `Customer ${i + 1}`);
				const customer = { sessionId, cookie, queue, position: null };
				customers.push(customer);
				const onItem = (item, at) => {
					const place = item?.kind === 'line' ? item.line : item?.kind === 'snapshot' ? item.line : null;
					if (!place || place.sessionId !== sessionId || place.position === null) return;
					customer.position = place.position;
					places.tell(`${sessionId}@${place.position}`, at);
				};
				const stream = openStream(baseUrl, 'feed.events', { as: 'customer' }, { cookie, onItem });
				feeds.push(stream);
			},
		);
		const setupMs = now() - t0;

		// The bare baseline: a tRPC query's round trip on the same server, same load.
		const bare = [];
		for (let i = 0; i < BARE_QUERIES; i++) {
			const t = now();
			await call(baseUrl, 'auth.status', { method: 'GET' });
			bare.push(now() - t);
		}

		// Enqueued → offer on the screen of the one available agent of an eleventh queue.
		const offers = arrivals();
		const probe = await addAgent(QUEUES * AGENTS_PER_QUEUE + 1, (item, at) => {
			const list = item?.kind === 'offers' || item?.kind === 'snapshot' ? (item.offers ?? []) : [];
			for (const o of list) offers.tell(o.sessionId, at);
		});
		const probeQueue = (
			await call(baseUrl, 'admin.createQueue', {
				cookie: adminCookie,
				input: { name: 'Probe', members: [probe.id], routing: 'mostIdle', openToCustomers: true },
			})
		).data.id;
		const enqueued = [];
		for (let i = 0; i < PROBES; i++) {
			const t = now();
			const { sessionId } = await ask(probeQueue, `Probe ${i + 1}`);
			enqueued.push((await offers.wait(sessionId)) - t);
			const [offer] = (await call(baseUrl, 'acd.offers', { cookie: probe.cookie, method: 'GET' })).data;
			await call(baseUrl, 'acd.accept', { cookie: probe.cookie, input: { sessionId, offerId: offer.offerId } });
			await call(baseUrl, 'session.end', { cookie: probe.cookie, input: { sessionId } });
		}

		// A place in line changing: the first of a queue leaves; everyone behind them hears their new place.
		const moved = [];
		for (let j = 0; j < LEAVES; j++) {
			const queue = j % QUEUES;
			const line = customers.filter((c) => c.queue === queue && c.position !== null).sort((a, b) => a.position - b.position);
			const [first, ...rest] = line;
			const t = now();
			const heard = rest.map((c) => places.wait(`${c.sessionId}@${c.position - 1}`));
			await call(baseUrl, 'session.leave', { cookie: first.cookie, input: { sessionId: first.sessionId } });
			first.position = null;
			customers.splice(customers.indexOf(first), 1);
			for (const at of await Promise.all(heard)) moved.push(at - t);
		}

		const b = stats(bare);
		const e = stats(enqueued);
		const m = stats(moved);
		console.log(
			`setup: ${QUEUES * AGENTS_PER_QUEUE} agents in ${QUEUES} queues, ${WAITING} customers waiting with feeds open, ${(setupMs / 1000).toFixed(0)} s`,
		);
		console.log(`bare tRPC query round trip (auth.status):        ${line(b)}`);
		console.log(`enqueued → offer on the agent's screen (n=${PROBES}):  ${line(e)}  — p50 ${fmt(e.p50 / b.p50)}× bare`);
		console.log(`first leaves → each of the others hears (n=${moved.length}): ${line(m)}  — p95 ${fmt(m.p95 / b.p50)}× bare`);
	} finally {
		for (const f of feeds) f.close();
		await server.stop();
	}
}
