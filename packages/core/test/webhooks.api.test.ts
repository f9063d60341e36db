// Outbound webhooks (issue 11: event export) through the real router, delivering to real local HTTP receivers
// (node:http on loopback, so these worlds allow private addresses): each event of the log arrives once its turn
// comes, in the log's order (each session's in sequence), signed with the webhook's own secret as the test
// recomputes it; a receiver answering 500 gets the event again after the back-off (1 s doubling); a receiver
// that does not answer holds up no other webhook; after 24 h of failures a webhook is marked failed (an event
// of the log, seen by the others) and no longer tried until an admin retries it, which resumes where it
// stopped; a node that stops in the middle of a delivery leaves the next node to resume from the stored
// cursor, with no event skipped and none out of order. Registration refusals — not http(s), private or
// loopback when the setting is off, the server itself — each with its code and nothing stored; non-admins
// are refused. Time is a fake clock; deliveries are run by hand.

import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, asc, count, eq, gte, sql } from 'drizzle-orm';
import { effectCursors, events, webhooks } from '@tandem/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../src/services.ts';
import { FakeClock } from '../src/time/clock.ts';
import { WEBHOOK_GIVE_UP_MS, type WebhookPayload } from '../src/webhooks/webhookDelivery.ts';
import { Browser, fingerprint, refusalOf, world, type World } from './harness.ts';

interface Received {
	payload: WebhookPayload;
	body: string;
	headers: IncomingHttpHeaders;
}

/** A system that receives Tandem's events: answers each POST as `answer` says ('hold': not until released). */
class Receiver {
	readonly received: Received[] = [];
	answer: (n: number) => number | 'hold' = () => 200;
	private readonly held: ((status: number) => void)[] = [];
	private readonly waiting: { n: number; resolve: () => void }[] = [];
	private server!: Server;
	url = '';

	async start(): Promise<this> {
		this.server = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				const body = Buffer.concat(chunks).toString('utf8');
				this.received.push({ body, payload: JSON.parse(body) as WebhookPayload, headers: req.headers });
				const answer = this.answer(this.received.length);
				const reply = (status: number) => res.writeHead(status).end();
				if (answer === 'hold') this.held.push(reply);
				else reply(answer);
				for (const w of this.waiting.filter((w) => this.received.length >= w.n)) w.resolve();
			});
		});
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/tandem-events`;
		return this;
	}

	/** Resolves once `n` requests have arrived. */
	arrived(n: number): Promise<void> {
		if (this.received.length >= n) return Promise.resolve();
		return new Promise((resolve) => this.waiting.push({ n, resolve }));
	}

	/** Answers the requests held so far. */
	release(status = 200): void {
		for (const reply of this.held.splice(0)) reply(status);
	}

	ids = () => this.received.map((r) => r.payload.id);

	async close(): Promise<void> {
		if (!this.server.listening) return;
		this.release(503);
		this.server.closeAllConnections();
		await new Promise((resolve) => this.server.close(resolve));
	}
}

/** The signature as a receiver checks it: HMAC-SHA256 of "<t>.<body>" with the secret, in hex. */
function signatureValid(r: Received, secret: string): boolean {
	const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(r.headers['tandem-signature']));
	if (!match) return false;
	return createHmac('sha256', secret).update(`${match[1]}.${r.body}`).digest('hex') === match[2];
}

describe.each(['pglite', 'postgres'] as const)('outbound webhooks on %s', (kind) => {
	const clock = new FakeClock();
	let w: World;
	let ana: Browser;
	const receivers: Receiver[] = [];
	const receiver = async () => {
		const r = await new Receiver().start();
		receivers.push(r);
		return r;
	};

	beforeAll(async () => {
		w = await world(kind, { clock, webhooks: { allowPrivateAddresses: true } });
		ana = await w.rep('Ana', { sessionMode: 'multi' });
	});
	afterAll(async () => {
		await w?.close();
		await Promise.all(receivers.map((r) => r.close()));
	});

	const admin = () => w.admin.api();
	const deliver = (services: Services = w.services) => services.webhookDelivery.deliverDue();
	const register = async (url: string) => (await admin()).webhooks.register({ url });
	const rowOf = async (id: string) => (await w.services.db.select().from(webhooks).where(eq(webhooks.id, id)))[0]!;
	/** The ids of the log's events from the webhook's registration on: what it must receive, in this order. */
	const dueTo = async (webhookId: string) => {
		const [registered] = await w.services.db
			.select({ id: events.id })
			.from(events)
			.where(and(eq(events.type, 'webhook.registered'), sql`${events.payload}->>'webhookId' = ${webhookId}`));
		const rows = await w.services.db.select({ id: events.id }).from(events).where(gte(events.id, registered!.id)).orderBy(asc(events.id));
		return rows.map((r) => r.id);
	};
	/** A short session of Ana's: started, a customer joins, a chat line, ended. */
	const session = async (name: string) => {
		const view = await (await ana.api()).session.start();
		const customer = w.browser();
		await (await customer.api()).session.join({ number: view.number, name });
		await (await customer.api()).chat.send({ sessionId: view.id, messageId: crypto.randomUUID(), text: `Hello from ${name}` });
		return {
			id: view.id,
			end: async () => (await ana.api()).session.end({ sessionId: view.id }),
		};
	};

	it('delivers every event from its registration on, in the log order, each signed with its own secret', async () => {
		const r = await receiver();
		const { webhook, secret } = await register(r.url);
		expect(secret).toMatch(/^[\w-]{43}$/); // 32 random bytes, base64url
		expect(webhook).toMatchObject({ url: r.url, status: 'active', lastDeliveredAt: null });
		// Two sessions at once: their events interleave in the log.
		const first = await session('Mira');
		const second = await session('Nikola');
		await (await ana.api()).chat.send({ sessionId: first.id, messageId: crypto.randomUUID(), text: 'Back to you' });
		await second.end();
		await first.end();
		await deliver();

		const due = await dueTo(webhook.id);
		expect(r.ids()).toEqual(due);
		expect(r.received[0]!.payload).toMatchObject({
			kind: 'site',
			aggregateId: `webhook:${webhook.id}`,
			type: 'webhook.registered',
			actor: expect.stringMatching(/^rep:/),
			payload: { webhookId: webhook.id, url: r.url },
		});
		for (const sessionId of [first.id, second.id]) {
			const seqs = r.received.filter((x) => x.payload.aggregateId === sessionId).map((x) => x.payload.seq);
			expect(seqs.length).toBeGreaterThan(3);
			expect(seqs).toEqual(seqs.map((_, i) => i + 1)); // each session's events in sequence, none missing
		}
		const types = r.received.map((x) => x.payload.type);
		expect(types).toContain('session.ended');
		for (const x of r.received) {
			expect(signatureValid(x, secret)).toBe(true);
			expect(
				signatureValid(
					x,
					secret.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
				),
			).toBe(false);
			expect(x.headers['content-type']).toBe('application/json');
			expect(x.headers['tandem-event-id']).toBe(String(x.payload.id));
			expect(String(x.headers['tandem-signature'])).toMatch(new RegExp(`^t=${Math.floor(clock.now() / 1000)},`));
			expect(x.payload.at).toBe(new Date(x.payload.at).toISOString());
		}
		const row = await rowOf(webhook.id);
		expect(row.lastDeliveredAt?.getTime()).toBe(clock.now());
		// Nothing is sent twice, and the secret is nowhere but its own row: not in the list, not in the log.
		await deliver();
		expect(r.ids()).toEqual(due);
		expect(JSON.stringify(await (await admin()).webhooks.list())).not.toContain(secret);
		const [inLog] = await w.services.db
			.select({ n: count() })
			.from(events)
			.where(sql`${events.payload}::text like ${`%${secret}%`}`);
		expect(inLog!.n).toBe(0);
		await (await admin()).webhooks.remove({ id: webhook.id });
	});

	it('a receiver answering 500 gets the event again after the back-off — 1 s, then 2 s, then 4 s — until a 2xx', async () => {
		const r = await receiver();
		const answers = [500, 503, 500, 200];
		r.answer = (n) => answers[n - 1] ?? 200;
		const { webhook } = await register(r.url);
		await deliver();
		expect(r.received).toHaveLength(1);
		let row = await rowOf(webhook.id);
		expect(row).toMatchObject({ attempts: 1, lastError: 'HTTP 500', status: 'active' });
		expect(row.failingSince?.getTime()).toBe(clock.now());
		for (const [wait, status] of [
			[1_000, 'HTTP 503'],
			[2_000, 'HTTP 500'],
		] as const) {
			expect(row.nextAttemptAt!.getTime() - clock.now()).toBe(wait);
			const tries = r.received.length;
			// Not before its time.
			clock.advance(wait - 1);
			await deliver();
			expect(r.received).toHaveLength(tries);
			clock.advance(1);
			await deliver();
			expect(r.received).toHaveLength(tries + 1);
			row = await rowOf(webhook.id);
			expect(row.lastError).toBe(status);
		}
		expect(row.attempts).toBe(3);
		expect(row.nextAttemptAt!.getTime() - clock.now()).toBe(4_000);
		clock.advance(4_000);
		await deliver();
		// The same event each time, then delivered: the failure state cleared.
		expect(new Set(r.received.map((x) => x.headers['tandem-event-id'])).size).toBe(1);
		expect(r.received).toHaveLength(4);
		row = await rowOf(webhook.id);
		expect(row).toMatchObject({ attempts: 0, lastError: null, failingSince: null, nextAttemptAt: null });
		expect(row.lastDeliveredAt?.getTime()).toBe(clock.now());
		// And what came after is delivered at once.
		const s = await session('Ola');
		await s.end();
		await deliver();
		expect(r.ids().slice(3)).toEqual(await dueTo(webhook.id));
		await (await admin()).webhooks.remove({ id: webhook.id });
	});

	it('a receiver that is down: the failure is kept in a few words, and delivery goes on once it is back', async () => {
		const r = await receiver();
		const { webhook } = await register(r.url);
		await r.close();
		await deliver();
		expect(await rowOf(webhook.id)).toMatchObject({ attempts: 1, lastError: 'ECONNREFUSED', status: 'active' });
		const listed = (await (await admin()).webhooks.list()).find((x) => x.id === webhook.id);
		expect(listed).toMatchObject({ lastError: 'ECONNREFUSED', failingSince: clock.now(), nextAttemptAt: clock.now() + 1_000 });
		await (await admin()).webhooks.remove({ id: webhook.id });
	});

	it('a receiver that does not answer holds up no other webhook', async () => {
		const slow = await receiver();
		slow.answer = () => 'hold';
		const quick = await receiver();
		const a = await register(slow.url);
		const b = await register(quick.url);
		const s = await session('Pera');
		await s.end();
		const pass = deliver(); // the slow one's first request waits for an answer
		const due = await dueTo(b.webhook.id);
		await quick.arrived(due.length);
		await slow.arrived(1);
		expect(quick.ids()).toEqual(due);
		expect(slow.received).toHaveLength(1);
		slow.answer = () => 200;
		slow.release();
		await pass;
		await deliver();
		expect(slow.ids()).toEqual(await dueTo(a.webhook.id));
		for (const id of [a.webhook.id, b.webhook.id]) await (await admin()).webhooks.remove({ id });
	});

	it('after 24 h of failures a webhook is marked failed and skipped; the others get everything; Retry resumes where it stopped', async () => {
		const dead = await receiver();
		dead.answer = () => 500;
		const healthy = await receiver();
		const d = await register(dead.url);
		const h = await register(healthy.url);
		await deliver();
		const since = clock.now();
		// Almost a day of failures (the waits capped at 5 min), sessions going on meanwhile.
		clock.advance(WEBHOOK_GIVE_UP_MS - 1_000);
		await deliver();
		expect(await rowOf(d.webhook.id)).toMatchObject({ status: 'active', attempts: 2 });
		const s1 = await session('Raša');
		await deliver();
		clock.advance(2_000);
		await deliver();
		const failed = await rowOf(d.webhook.id);
		expect(failed).toMatchObject({ status: 'failed', attempts: 3, lastError: 'HTTP 500', nextAttemptAt: null });
		expect(failed.failingSince?.getTime()).toBe(since);
		// Admins see it, with why and since when.
		const listed = (await (await admin()).webhooks.list()).find((x) => x.id === d.webhook.id);
		expect(listed).toMatchObject({ status: 'failed', lastError: 'HTTP 500', failingSince: since });
		// The log says so, and the others receive that too.
		const [failedEvent] = await w.services.db
			.select()
			.from(events)
			.where(and(eq(events.type, 'webhook.failed'), eq(events.aggregateId, `webhook:${d.webhook.id}`)));
		expect(failedEvent).toMatchObject({ aggregateKind: 'site', actor: 'system' });
		// It is tried no more, however long; the healthy one gets every event.
		const tries = dead.received.length;
		await s1.end();
		clock.advance(3_600_000);
		await deliver();
		expect(dead.received).toHaveLength(tries);
		expect(healthy.ids()).toEqual(await dueTo(h.webhook.id));
		expect(healthy.ids()).toContain(failedEvent!.id);

		// Retry of an active one is refused; of the failed one, it resumes at the first event it never took.
		expect(await refusalOf((await admin()).webhooks.retry({ id: h.webhook.id }))).toBe('webhookNotFailed');
		dead.answer = () => 200;
		expect(await (await admin()).webhooks.retry({ id: d.webhook.id })).toMatchObject({ status: 'active', attempts: 0, lastError: null });
		await deliver();
		const firstEach = [...new Set(dead.ids())];
		expect(firstEach).toEqual(await dueTo(d.webhook.id));
		expect(dead.ids().slice(tries)).toEqual(firstEach); // from its registration event on, again, in order
		expect(dead.received.at(-1)!.payload.type).toBe('webhook.retried'); // up to its own retry
		for (const id of [d.webhook.id, h.webhook.id]) await (await admin()).webhooks.remove({ id });
		expect(await refusalOf((await admin()).webhooks.remove({ id: d.webhook.id }))).toBe('webhookNotFound');
		expect(await refusalOf((await admin()).webhooks.retry({ id: d.webhook.id }))).toBe('webhookNotFound');
		// Removed: not listed, its secret and cursor gone, kept as a row for the record.
		expect((await (await admin()).webhooks.list()).map((x) => x.id)).not.toContain(d.webhook.id);
		expect(await rowOf(d.webhook.id)).toMatchObject({ status: 'removed', secret: '' });
		const cursors = await w.services.db
			.select()
			.from(effectCursors)
			.where(eq(effectCursors.name, `webhook:${d.webhook.id}`));
		expect(cursors).toEqual([]);
	});

	it('a node that stops in the middle of a delivery: the next resumes from the stored cursor, nothing skipped, nothing out of order', async () => {
		const r = await receiver();
		// The third event reaches the receiver, which has not answered when the node goes down.
		r.answer = (n) => (n === 3 ? 'hold' : 200);
		const { webhook, secret } = await register(r.url);
		const s = await session('Sava');
		const pass = deliver();
		await r.arrived(3);
		await w.services.webhookDelivery.close();
		await pass;
		const before = r.ids();
		expect(before).toHaveLength(3);
		// Events go on being committed while no node delivers.
		await (await ana.api()).chat.send({ sessionId: s.id, messageId: crypto.randomUUID(), text: 'Anyone there?' });
		await s.end();
		expect(r.received).toHaveLength(3);

		// Another node over the same database takes the delivery over.
		const next = createServices(w.services.db, kind, { ...w.services.config, nodeId: 'node-next' });
		await next.open();
		try {
			await deliver(next);
			const due = await dueTo(webhook.id);
			// The unanswered event comes again (receivers deduplicate by tandem-event-id), then the rest in order.
			expect(r.ids()).toEqual([...before, ...due.slice(2)]);
			expect([...new Set(r.ids())]).toEqual(due);
			for (const x of r.received) expect(signatureValid(x, secret)).toBe(true);
			const [cursor] = await w.services.db
				.select()
				.from(effectCursors)
				.where(eq(effectCursors.name, `webhook:${webhook.id}`));
			expect(cursor!.position).toBe(due.at(-1));
		} finally {
			await next.close();
		}
	});
});

describe.each(['pglite', 'postgres'] as const)('registering a webhook on %s', (kind) => {
	let w: World;
	beforeAll(async () => {
		// Private addresses not allowed (the default); the server listens where the harness says (127.0.0.1:3000).
		w = await world(kind, { clock: new FakeClock(), webhooks: { ownOrigins: ['http://127.0.0.1:3000', 'http://127.0.0.1:4000'] } });
	});
	afterAll(async () => {
		await w?.close();
	});

	const stored = async () => {
		const [hooks] = await w.services.db.select({ n: count() }).from(webhooks);
		const [cursors] = await w.services.db.select({ n: count() }).from(effectCursors);
		return `${hooks!.n} webhooks, ${cursors!.n} cursors, ${await fingerprint(w.services)}`;
	};

	const refusals: [url: string, code: string][] = [
		['ftp://files.example.com/events', 'webhookUrlNotHttp'],
		['javascript:alert(document.cookie)', 'webhookUrlNotHttp'],
		['data:text/plain,hello', 'webhookUrlNotHttp'],
		['example.com/events', 'webhookUrlInvalid'],
		['   ', 'webhookUrlInvalid'],
		[`http://8.8.8.8/${'x'.repeat(2_001)}`, 'webhookUrlInvalid'],
		['https://user:password@8.8.8.8/events', 'webhookUrlCredentials'],
		['http://127.0.0.1:8080/events', 'webhookPrivateAddress'],
		['http://localhost:8080/events', 'webhookPrivateAddress'],
		['http://[::1]:8080/events', 'webhookPrivateAddress'],
		['http://[::ffff:10.0.0.5]/events', 'webhookPrivateAddress'],
		['http://192.168.1.20/events', 'webhookPrivateAddress'],
		['http://169.254.169.254/latest/meta-data/', 'webhookPrivateAddress'],
		['http://[fd00::5]/events', 'webhookPrivateAddress'],
		['http://0.0.0.0/events', 'webhookPrivateAddress'],
		['http://no-such-host.invalid/events', 'webhookHostUnknown'],
		['http://127.0.0.1:3000/console/api/trpc', 'webhookOwnServer'],
		['http://127.0.0.1:4000/sessions', 'webhookOwnServer'],
	];
	const named = refusals.map(
		([url, code]) => [url.length > 60 ? `${url.slice(0, 30)}… (${url.length} characters)` : url, code, url] as const,
	);
	it.each(named)('%s is refused: %s, and nothing is stored', async (_, code, url) => {
		const before = await stored();
		expect(await refusalOf((await w.admin.api()).webhooks.register({ url }))).toBe(code);
		expect(await stored()).toBe(before);
	});

	it('the server itself is refused even where private addresses are allowed', async () => {
		const open = await world(kind, { clock: new FakeClock(), webhooks: { allowPrivateAddresses: true } });
		try {
			const api = await open.admin.api();
			for (const url of ['http://127.0.0.1:3000/hook', 'http://localhost:3000/hook', 'http://127.0.0.1:3000']) {
				expect(await refusalOf(api.webhooks.register({ url })), url).toBe('webhookOwnServer');
			}
			expect(await api.webhooks.list()).toEqual([]);
		} finally {
			await open.close();
		}
	});

	it('only administrators manage webhooks', async () => {
		const rep = await w.rep('Vesna');
		const nobody = w.browser();
		const id = crypto.randomUUID();
		for (const [who, code] of [
			[rep, 'forbidden'],
			[nobody, 'notSignedIn'],
		] as const) {
			const api = await who.api();
			const before = await stored();
			expect(await refusalOf(api.webhooks.list())).toBe(code);
			expect(await refusalOf(api.webhooks.register({ url: 'http://8.8.8.8/events' }))).toBe(code);
			expect(await refusalOf(api.webhooks.remove({ id }))).toBe(code);
			expect(await refusalOf(api.webhooks.retry({ id }))).toBe(code);
			expect(await stored()).toBe(before);
		}
	});
});
