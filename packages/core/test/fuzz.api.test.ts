// Fuzzing every procedure's input over HTTP (issue "Hold under attack", SPEC §11): for each procedure of the
// router, a fixed number of inputs drawn with a fixed seed — a valid input with one field made hostile (NUL,
// lone surrogates, bidi overrides, 1 MB, the wrong type, deep nesting), a field dropped, a `__proto__` or
// `constructor` key added, or anything at all — sent as a browser sends it by an administrator who controls
// the session, by its customer, or by nobody. Whatever comes back: never a 5xx, never an internal (SQL, a
// stack, a path, the media server's words), and a refused call changes nothing (the log's count, the
// sessions' versions, people, invitations, logins and settings compared before and after). A real media
// server runs beside it, so the media procedures reach it.

import { fc } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSfu, type TestSfu } from '../../../apps/sfu/test/harness.ts';
import { SfuClient } from '../src/media/sfuClient.ts';
import { appRouter } from '../src/trpc/root.ts';
import { fingerprint, overHttp, world, type Browser, type World } from './harness.ts';

/** The same draws on every run, so CI is repeatable; and how many per procedure. */
const SEED = 20261204;
const RUNS = Number(process.env.TANDEM_FUZZ_RUNS ?? 40);

/** What must never reach a client. */
const INTERNALS =
	/select |insert |update |delete from|failed query|at .*\.(ts|js):\d|node_modules|\/work\/|\/tmp\/|URI malformed|mediasoup|transport [\w-]+ |SFU \d|stack/i;

/** One live session run by the admin, with a customer in it; what valid inputs are made of. */
interface Scene {
	sessionId: string;
	number: string;
	customerId: string;
	customerCookie: string;
	repInvite: string;
	customerInvite: string;
	invitationId: string;
	targetRepId: string;
	queueId: string;
}

type Seed = (s: Scene) => unknown;

/** A valid input for every procedure (undefined: it takes none). */
const seeds: Record<string, Seed> = {
	'auth.status': () => undefined,
	'auth.createFirstAdmin': () => ({ name: 'Mallory', email: 'mallory@example.com', password: 'mallory-password' }),
	'auth.signIn': () => ({ email: 'nobody@example.com', password: 'wrong-password' }),
	'auth.signOut': () => undefined,
	'auth.goodbye': () => ({ consoleId: 'console-fuzz-1' }),
	'auth.heartbeat': () => ({ consoleId: 'console-fuzz-1', microphone: true }),
	'auth.setLanguage': () => ({ language: 'en' }),
	'admin.reps': () => undefined,
	'admin.createRep': () => ({ name: 'Made', email: 'made@example.com', password: 'made-password', sessionMode: 'multi', maxCustomers: 3 }),
	'admin.updateRep': (s) => ({ id: s.targetRepId, name: 'Target', voiceCalls: true }),
	'admin.settings': () => undefined,
	'admin.updateSettings': () => ({ invitationExpiryHours: 24, gracePeriodSeconds: 30, offerTimeoutSeconds: 30 }),
	'admin.queues': () => undefined,
	'admin.createQueue': (s) => ({ name: 'Printers', members: [s.targetRepId], routing: 'mostIdle', openToCustomers: true }),
	'admin.updateQueue': (s) => ({ id: s.queueId, name: 'Renamed', routing: 'everybody' }),
	'admin.removeQueue': (s) => ({ id: s.queueId }),
	'acd.me': () => undefined,
	'acd.setState': () => ({ state: 'busy' }),
	'acd.openQueues': () => undefined,
	'acd.requestHelp': (s) => ({ name: 'Asker', email: 'asker@example.com', problem: 'It does not print', queueId: s.queueId }),
	'acd.offers': () => undefined,
	'acd.transferTargets': () => undefined,
	'supervisor.watch': () => undefined,
	'acd.transfer': (s) => ({ sessionId: s.sessionId, queueId: s.queueId, message: 'See the chat' }),
	'acd.accept': (s) => ({ sessionId: s.sessionId, offerId: '00000000-0000-4000-8000-000000000000' }),
	'acd.decline': (s) => ({ sessionId: s.sessionId, offerId: '00000000-0000-4000-8000-000000000000' }),
	'session.start': () => undefined,
	'session.join': (s) => ({ number: s.number, name: 'Joiner' }),
	'session.assist': (s) => ({ number: s.number }),
	'session.joinByInvite': (s) => ({ token: s.customerInvite, name: 'Invited' }),
	'session.assistByInvite': (s) => ({ token: s.repInvite }),
	'session.focusCustomer': (s) => ({ sessionId: s.sessionId, participantId: s.customerId }),
	'session.transferControl': (s) => ({ sessionId: s.sessionId, to: s.customerId, leave: false }),
	'session.removeParticipant': (s) => ({ sessionId: s.sessionId, participantId: s.customerId }),
	'session.leave': (s) => ({ sessionId: s.sessionId }),
	'chat.send': (s) => ({ sessionId: s.sessionId, messageId: '00000000-0000-4000-8000-000000000001', text: 'Hello there' }),
	'chat.typing': (s) => ({ sessionId: s.sessionId }),
	'annotation.point': (s) => ({ sessionId: s.sessionId, share: s.customerId, x: 0.5, y: 0.5 }),
	'annotation.draw': (s) => ({
		sessionId: s.sessionId,
		markId: '00000000-0000-4000-8000-000000000000',
		share: s.customerId,
		kind: 'freehand',
		points: [
			[0, 0],
			[0.5, 0.5],
			[1, 1],
		],
	}),
	'annotation.clear': (s) => ({ sessionId: s.sessionId, share: s.customerId }),
	'chat.mailTranscript': (s) => ({ sessionId: s.sessionId, to: 'c@example.com', language: 'en', timeZone: 'Europe/Belgrade' }),
	'session.end': (s) => ({ sessionId: s.sessionId }),
	'session.startActivity': (s) => ({ sessionId: s.sessionId, activity: 'recording' }),
	'session.stopActivity': (s) => ({ sessionId: s.sessionId, activity: 'recording' }),
	'invite.mail': () => undefined,
	'invite.create': (s) => ({ sessionId: s.sessionId, role: 'customer', via: 'link' }),
	'invite.send': (s) => ({ sessionId: s.sessionId, role: 'customer', recipient: 'c@example.com' }),
	'invite.revoke': (s) => ({ sessionId: s.sessionId, invitationId: s.invitationId }),
	'invite.preview': (s) => ({ token: s.customerInvite, as: 'customer' }),
	'feed.events': () => ({ as: 'rep', consoleId: 'console-fuzz-2', lastEventId: '1' }),
	'media.capabilities': (s) => ({ sessionId: s.sessionId }),
	'media.createTransport': (s) => ({ sessionId: s.sessionId, direction: 'send' }),
	'media.connectTransport': (s) => ({ sessionId: s.sessionId, transportId: 't1', dtlsParameters: { role: 'client', fingerprints: [] } }),
	'media.produce': (s) => ({
		sessionId: s.sessionId,
		transportId: 't1',
		kind: 'video',
		source: 'camera',
		rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }], encodings: [{ ssrc: 1 }] },
	}),
	'media.stop': (s) => ({ sessionId: s.sessionId, source: 'camera' }),
	'media.producers': (s) => ({ sessionId: s.sessionId }),
	'media.consume': (s) => ({ sessionId: s.sessionId, transportId: 't1', producerId: 'p1', rtpCapabilities: { codecs: [] } }),
	'media.resumeConsumer': (s) => ({ sessionId: s.sessionId, consumerId: 'c1' }),
	'media.reportLost': (s) => ({ sessionId: s.sessionId, direction: 'receive' }),
	'recordings.list': (s) => ({ sessionId: s.sessionId }),
	'reports.history': () => ({ filter: { from: '2026-01-01T00:00:00Z', customer: 'Mira', number: '123 456 789' }, pageSize: 25 }),
	'reports.filterChoices': () => undefined,
	'reports.ratings': () => ({ filter: { queueId: '00000000-0000-4000-8000-000000000001' } }),
	'reports.session': (s) => ({ sessionId: s.sessionId, language: 'sr' }),
	'reports.answerSurvey': (s) => ({ sessionId: s.sessionId, rating: 5, comment: 'Thanks' }),
	'audit.status': () => undefined,
	'audit.verify': () => undefined,
	'webhooks.list': () => undefined,
	'webhooks.register': () => ({ url: 'http://127.0.0.1:9/events' }),
	'webhooks.remove': () => ({ id: '00000000-0000-4000-8000-000000000000' }),
	'webhooks.retry': () => ({ id: '00000000-0000-4000-8000-000000000000' }),
	'recordings.timeline': (s) => ({ recordingId: `${s.sessionId}-1` }),
	'recordings.export': (s) => ({ recordingId: `${s.sessionId}-1` }),
	'recordings.exportStatus': (s) => ({ recordingId: `${s.sessionId}-1`, sessionId: s.sessionId }),
	'files.offer': (s) => ({ sessionId: s.sessionId, to: s.customerId, name: 'report.pdf', size: 1000, mediaType: 'application/pdf' }),
	'files.accept': (s) => ({ sessionId: s.sessionId, fileId: '00000000-0000-4000-8000-000000000000' }),
	'files.cancel': (s) => ({ sessionId: s.sessionId, fileId: '00000000-0000-4000-8000-000000000000' }),
};

// ---------------------------------------------------------------- what an attacker sends

const MEGABYTE = 'A'.repeat(1 << 20);

/** Strings no form would send, and some a form would. */
const hostileString = fc.oneof(
	fc.constantFrom(
		'',
		' ',
		'\u0000',
		'evil\u0000name',
		'\ud800',
		'x\udc00y',
		'\u202Egnp.exe',
		'\u2066a\u2069',
		'\u200B',
		'\uFEFF',
		'\u001b[31m',
		'a\r\nb',
		'<script>alert(1)</script>',
		"'; drop table events; --",
		'%00',
		'%E0%A4%A',
		'__proto__',
		'constructor',
		'../../../../etc/passwd',
		'😀'.repeat(81),
		'123 456 789',
		'00000000-0000-0000-0000-000000000000',
		MEGABYTE,
	),
	fc.string({ unit: 'binary', maxLength: 40 }),
	fc.string({ unit: 'grapheme', maxLength: 40 }),
);

/** Nested arrays or objects deeper than any input of ours. */
const deep = fc.integer({ min: 17, max: 400 }).chain((depth) =>
	fc.constantFrom('array', 'object').map((shape) => {
		let v: unknown = 'bottom';
		for (let i = 0; i < depth; i++) v = shape === 'array' ? [v] : { a: v };
		return v;
	}),
);

/** An object carrying `__proto__` or `constructor` as its own key, as JSON.parse would make it. */
const withPoisonKey = (value: unknown) =>
	fc.constantFrom('__proto__', 'constructor', 'prototype').chain((key) =>
		fc.constant(
			(() => {
				const o: Record<string, unknown> = value && typeof value === 'object' && !Array.isArray(value) ? { ...value } : {};
				Object.defineProperty(o, key, { value: { isAdmin: true, polluted: 'yes' }, enumerable: true, configurable: true, writable: true });
				return o;
			})(),
		),
	);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
	{ weight: 5, arbitrary: hostileString },
	fc.integer(),
	fc.constantFrom(-1, 0, 1e308, -0, 2 ** 53 + 1, 1.5),
	fc.boolean(),
	fc.constant(null),
	fc.constant(undefined),
	fc.array(hostileString, { maxLength: 3 }),
	fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
	deep,
	fc.jsonValue({ maxDepth: 3 }),
);

/** Paths of the fields of a seed (nested objects and arrays included). */
function fieldPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
	if (!value || typeof value !== 'object') return [];
	const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
	return entries.flatMap(([k, v]) => [[...prefix, k], ...fieldPaths(v, [...prefix, k])]);
}

function withField(value: unknown, path: (string | number)[], replace: (old: unknown) => unknown | typeof DROP): unknown {
	if (path.length === 0) return replace(value);
	const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
	const [head, ...rest] = path as [string | number, ...(string | number)[]];
	const next = withField(copy[head], rest, replace);
	if (next === DROP) delete copy[head];
	else copy[head] = next;
	return copy;
}
const DROP = Symbol('drop');

/** An input for a procedure whose valid input is `seed`. */
function inputFor(seed: unknown): fc.Arbitrary<unknown> {
	const paths = fieldPaths(seed);
	const mutations: fc.Arbitrary<unknown>[] = [fc.constant(seed), hostileValue, withPoisonKey(seed)];
	if (paths.length > 0) {
		const path = fc.constantFrom(...paths);
		mutations.push(
			fc.tuple(path, hostileValue).map(([p, v]) => withField(seed, p, () => v)),
			fc.tuple(path, hostileValue).map(([p, v]) => withField(seed, p, () => v)),
			path.map((p) => withField(seed, p, () => DROP)),
			fc.tuple(path, hostileValue).chain(([p, v]) => withPoisonKey(withField(seed, p, () => v))),
		);
	}
	return fc.oneof(...mutations);
}

// ---------------------------------------------------------------- sending it

type Caller = 'admin' | 'customer' | 'nobody';

/** The request a browser would send for this input (a query or subscription in the URL, a mutation in the body). */
function requestFor(path: string, type: string, input: unknown, cookie: string, signal: AbortSignal): Request {
	const headers: Record<string, string> = cookie ? { cookie } : {};
	const json = input === undefined ? undefined : JSON.stringify(input);
	if (type === 'mutation') {
		return new Request(`http://127.0.0.1/console/api/trpc/${path}`, {
			method: 'POST',
			headers: { ...headers, 'content-type': 'application/json' },
			...(json === undefined ? {} : { body: json }),
			signal,
		});
	}
	const query = json === undefined ? '' : `?input=${encodeURIComponent(json)}`;
	return new Request(`http://127.0.0.1/console/api/trpc/${path}${query}`, { headers, signal });
}

/** The status and what the client got to read: a subscription's first message only (its stream then ends). */
async function send(w: World, path: string, type: string, input: unknown, cookie: string): Promise<{ status: number; text: string }> {
	const abort = new AbortController();
	const res = await overHttp(w.services, requestFor(path, type, input, cookie, abort.signal));
	if (type !== 'subscription' || !res.body) return { status: res.status, text: await res.text() };
	const reader = res.body.getReader();
	let text = '';
	const timeout = setTimeout(() => abort.abort(), 2_000);
	try {
		while (!/\n\n/.test(text)) {
			const { value, done } = await reader.read();
			if (done) break;
			text += new TextDecoder().decode(value);
		}
	} catch {
		/* the stream was cut: what came is what the client saw */
	} finally {
		clearTimeout(timeout);
		abort.abort();
		await reader.cancel().catch(() => {});
	}
	return { status: res.status, text };
}

/** Stand-ins for the scene's ids in the drawn inputs: the session they name may be a new one by the time they are sent. */
const PLACEHOLDERS: Scene = {
	sessionId: '§sessionId',
	number: '§number',
	customerId: '§customerId',
	customerCookie: '§customerCookie',
	repInvite: '§repInvite',
	customerInvite: '§customerInvite',
	invitationId: '§invitationId',
	targetRepId: '§targetRepId',
	queueId: '§queueId',
};

/** The drawn input with the current scene's ids in place of the stand-ins (own `__proto__` keys kept as own keys). */
function materialise(value: unknown, s: Scene): unknown {
	if (typeof value === 'string') {
		let text = value;
		for (const k of Object.keys(PLACEHOLDERS) as (keyof Scene)[]) text = text.replaceAll(PLACEHOLDERS[k], s[k]);
		return text;
	}
	if (Array.isArray(value)) return value.map((v) => materialise(v, s));
	if (!value || typeof value !== 'object') return value;
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(value))
		Object.defineProperty(out, k, { value: materialise(v, s), enumerable: true, configurable: true, writable: true });
	return out;
}

const cookieOf = (b: Browser) => [...b.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');

describe('fuzzing every procedure', () => {
	let w: World;
	let sfu: TestSfu;
	let scene: Scene;
	const tally = { cases: 0, procedures: 0, fiveHundreds: 0, leaks: 0, partialWrites: 0 };

	beforeAll(async () => {
		sfu = await startTestSfu({ rtcMinPort: 43000, rtcMaxPort: 43499, recordingMinPort: 43500, recordingMaxPort: 43999 });
		w = await world('pglite', { media: new SfuClient({ url: sfu.url, secret: 'test-secret-0123456789' }) });
		await (await w.admin.api()).admin.updateRep({ id: (await (await w.admin.api()).auth.status()).me!.id, sessionMode: 'multi' });
		const target = await w.rep('Target');
		const targetRepId = (await (await target.api()).auth.status()).me!.id;
		scene = await newScene(targetRepId);
	});
	afterAll(async () => {
		console.log(
			`fuzzing: ${tally.procedures} procedures × ${RUNS} inputs (seed ${SEED}) = ${tally.cases} cases; 5xx: ${tally.fiveHundreds}, leaks: ${tally.leaks}, partial writes: ${tally.partialWrites}`,
		);
		await w?.close();
		await sfu?.stop();
	});

	/** A fresh live session of the admin's with a customer in it and open invitations. */
	async function newScene(targetRepId: string): Promise<Scene> {
		// The admin's other sessions (started by the fuzz) end first: they count against the admin's limits.
		for (const id of await w.services.sessions.liveSessionIds())
			await w.services.sessions.command(id, { kind: 'system' }, { type: 'endForLostConsole', reason: 'connectionLost' });
		const admin = await w.admin.api();
		const view = await admin.session.start();
		const customer = w.browser();
		const { participantId } = await (await customer.api()).session.join({ number: view.number, name: 'Customer' });
		const forCustomer = await admin.invite.create({ sessionId: view.id, role: 'customer', via: 'link' });
		const forRep = await admin.invite.create({ sessionId: view.id, role: 'rep', via: 'link' });
		const token = (link: string) => new URL(link).searchParams.get('invite')!;
		return {
			sessionId: view.id,
			number: view.number,
			customerId: participantId,
			customerCookie: cookieOf(customer),
			customerInvite: token(forCustomer.link),
			repInvite: token(forRep.link),
			invitationId: forCustomer.invitation.id,
			targetRepId,
			queueId: await newQueue(),
		};
	}

	let queues = 0;
	/** A queue of the scene's (a case may rename or remove it). */
	const newQueue = async () =>
		(
			await (
				await w.admin.api()
			).admin.createQueue({ name: `Scene queue ${++queues}`, members: [], routing: 'mostIdle', openToCustomers: true })
		).id;

	/** Whatever the last case did (signed the admin out, ended or left the session), the next starts whole. */
	async function restore(): Promise<void> {
		const status = await (await w.admin.api()).auth.status();
		if (!status.me) await (await w.admin.api()).auth.signIn({ email: 'admin@example.com', password: 'admin-password' });
		const state = await w.services.sessions.state(scene.sessionId);
		const admin = (await (await w.admin.api()).auth.status()).me!;
		const controls = state?.participants.find((p) => p.id === state.controllerId)?.repId === admin.id;
		const customerIn = state?.participants.some((p) => p.id === scene.customerId);
		if (state?.status !== 'live' || !controls || !customerIn) scene = await newScene(scene.targetRepId);
		if (!(await (await w.admin.api()).admin.queues()).some((q) => q.id === scene.queueId)) scene = { ...scene, queueId: await newQueue() };
	}

	it('every procedure of the router has a seed input, and every seed a procedure', () => {
		expect(Object.keys(seeds).sort()).toEqual(Object.keys(appRouter._def.procedures).sort());
	});

	const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>;
	for (const [path, seed] of Object.entries(seeds)) {
		it(`${path}: ${RUNS} hostile inputs, no 5xx, no internals, nothing half-written`, async () => {
			const type = procedures[path]!._def.type;
			const problems: string[] = [];
			tally.procedures++;
			await fc.assert(
				fc.asyncProperty(fc.constantFrom<Caller>('admin', 'customer', 'nobody'), inputFor(seed(PLACEHOLDERS)), async (caller, template) => {
					await restore();
					const input = materialise(template, scene);
					const cookie = caller === 'admin' ? cookieOf(w.admin) : caller === 'customer' ? scene.customerCookie : '';
					const before = await fingerprint(w.services);
					const { status, text } = await send(w, path, type, input, cookie);
					tally.cases++;
					const shown = JSON.stringify(input)?.slice(0, 160);
					if (status >= 500) {
						tally.fiveHundreds++;
						problems.push(`${caller} ${shown} → ${status} ${text.slice(0, 300)}`);
					}
					if (INTERNALS.test(text)) {
						tally.leaks++;
						problems.push(`${caller} ${shown} → leaked: ${text.slice(0, 300)}`);
					}
					const refused = status >= 400 || /"error"/.test(text.slice(0, 200));
					if (refused && (await fingerprint(w.services)) !== before) {
						tally.partialWrites++;
						problems.push(`${caller} ${shown} → refused (${status}) but something changed`);
					}
				}),
				{ seed: SEED, numRuns: RUNS, endOnFailure: true },
			);
			expect(problems).toEqual([]);
		});
	}
});
