// Hostile input over HTTP, as an attacker sends it (issue "Hold under attack", finding 4): a NUL byte or a
// lone surrogate in any string is refused as invalid input — never a 500 carrying the SQL, its parameters
// or a stack — and changes nothing; an error inside the server reaches the client as a generic message
// with an id the server's log carries.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf } from '../src/log/eventLog.ts';
import type { Services } from '../src/services.ts';
import { overHttp, refusalOf, world, type World } from './harness.ts';

/** Calls the API as a browser does: JSON over HTTP through the same handler the console mounts. */
async function http(services: Services, path: string, input: unknown, cookie = '') {
	const req = new Request(`http://127.0.0.1/console/api/trpc/${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
		body: JSON.stringify(input),
	});
	const res = await overHttp(services, req);
	return { status: res.status, text: await res.text() };
}

/** What must never reach a client. */
const INTERNALS = /select |insert |update |failed query|params|at .*\.ts:|node_modules|\/work\/|URI malformed/i;

describe('hostile strings', () => {
	let w: World;
	let number: string;
	let sessionId: string;
	beforeAll(async () => {
		w = await world('pglite');
		const ana = await w.rep('Ana');
		const session = await (await ana.api()).session.start();
		number = session.number;
		sessionId = session.id;
	});
	afterAll(() => w?.close());

	const cases: [string, string, () => unknown][] = [
		['a NUL in a customer name', 'session.join', () => ({ number, name: 'evil\u0000' })],
		['a lone surrogate in a customer name', 'session.join', () => ({ number, name: 'evil\ud800' })],
		['a NUL in a sign-in e-mail', 'auth.signIn', () => ({ email: 'ana\u0000@example.com', password: 'whatever' })],
		['a NUL in an invitation token', 'session.joinByInvite', () => ({ token: 'abc\u0000', name: 'Eve' })],
		['a lone surrogate in a transport id', 'media.connectTransport', () => ({ sessionId, transportId: '\udc00', dtlsParameters: {} })],
		['a NUL in an object key', 'session.join', () => ({ number, name: 'Eve', ['x\u0000']: 1 })],
	];

	it.each(cases)('%s is refused as invalid input, says nothing of the inside, and changes nothing', async (_what, path, input) => {
		const before = (await eventsOf(w.services.db, 'session', sessionId)).length;
		const res = await http(w.services, path, input());
		expect(res.status).toBe(400);
		expect(JSON.parse(res.text).error.data.tandemCode).toBe('invalidInput');
		expect(res.text).not.toMatch(INTERNALS);
		expect(res.text).not.toContain(sessionId);
		expect((await eventsOf(w.services.db, 'session', sessionId)).length).toBe(before);
	});

	it('a query that takes no input answers whatever its input says (as before the check)', async () => {
		const res = await overHttp(w.services, new Request('http://127.0.0.1/console/api/trpc/auth.status?input=undefined'));
		expect(res.status).toBe(200);
	});

	it('an admin creating a rep with a NUL in the name is refused the same way', async () => {
		const adminCookie = [...w.admin.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
		const res = await http(
			w.services,
			'admin.createRep',
			{ name: 'Eve\u0000', email: 'eve@example.com', password: 'eve-password' },
			adminCookie,
		);
		expect(res.status).toBe(400);
		expect(res.text).not.toMatch(INTERNALS);
		expect((await (await w.admin.api()).admin.reps()).some((r) => r.email === 'eve@example.com')).toBe(false);
	});
});

describe('an error inside the server', () => {
	it('reaches the client as a generic message with an id, and the log has the rest', async () => {
		const broken = await world('pglite');
		await broken.close(); // the database is gone: the next query fails inside the server
		const logged: unknown[][] = [];
		const error = console.error;
		console.error = (...args: unknown[]) => void logged.push(args);
		try {
			const res = await http(broken.services, 'session.join', { number: '123456789', name: 'Eve' });
			expect(res.status).toBe(500);
			expect(res.text).not.toMatch(INTERNALS);
			const body = JSON.parse(res.text) as { error: { message: string; data: { errorId?: string; stack?: unknown } } };
			expect(body.error.data.stack).toBeUndefined();
			expect(body.error.data.errorId).toMatch(/^[\w-]{8,}$/);
			expect(body.error.message).toContain(body.error.data.errorId);
			expect(logged.some((args) => args.some((a) => String(a).includes(body.error.data.errorId!)))).toBe(true);
		} finally {
			console.error = error;
		}
	});
});

describe('names (finding 7)', () => {
	let w: World;
	let number: string;
	let sessionId: string;
	beforeAll(async () => {
		w = await world('pglite');
		const session = await (await (await w.rep('Ana')).api()).session.start();
		number = session.number;
		sessionId = session.id;
	});
	afterAll(() => w?.close());

	const join = (name: string) =>
		w
			.browser()
			.api()
			.then((api) => api.session.join({ number, name }));
	const names = async () => (await w.services.sessions.state(sessionId))!.participants.map((p) => p.name);

	it.each([
		['a right-to-left override', 'Ana\u202Egnp.exe'],
		['a direction isolate', '\u2067Support\u2069'],
		['an escape sequence', 'Ana\u001b[31m'],
		['a line break', 'Ana\nAdmin'],
		['an invisible space', 'An\u200Ba'],
		['a byte-order mark inside', 'An\uFEFFa'],
	])('a customer name with %s is refused and nobody joins', async (_what, name) => {
		const before = await names();
		expect(await refusalOf(join(name))).toBe('invalidInput');
		expect(await names()).toEqual(before);
	});

	it('a name is kept in composed form, and its limit of 80 counts characters, not UTF-16 units', async () => {
		await join('Milica C\u0301iric\u0301'); // Ć typed as C + combining acute
		expect(await names()).toContain('Milica Ćirić');
		const eighty = '😀'.repeat(80); // 160 UTF-16 units
		await join(eighty);
		expect(await names()).toContain(eighty);
		expect(await refusalOf(join('😀'.repeat(81)))).toBe('invalidInput');
		// Emoji sequences keep their joiners.
		await join('Ana 👩‍💻');
		expect(await names()).toContain('Ana 👩‍💻');
	});

	it('a rep name with CR/LF is refused for a new rep and for an edit', async () => {
		const admin = await w.admin.api();
		expect(await refusalOf(admin.admin.createRep({ name: 'Eve\r\nAdmin', email: 'eve@example.com', password: 'eve-password' }))).toBe(
			'invalidInput',
		);
		const rep = (await admin.admin.reps()).find((r) => r.name === 'Ana')!;
		expect(await refusalOf(admin.admin.updateRep({ id: rep.id, name: 'Ana\r\nAdmin' }))).toBe('invalidInput');
		expect((await admin.admin.reps()).find((r) => r.id === rep.id)!.name).toBe('Ana');
	});
});
