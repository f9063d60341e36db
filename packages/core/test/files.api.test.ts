// File transfer (SPEC §9) through the real router and the console's file routes as they hand requests to
// core (tus uploads, downloads): a rep's file to the customer in focus and a customer's to the rep, each
// offered, accepted, uploaded by tus in parts — one of them broken off and resumed — with the SHA-256 the
// server computed as the bytes came equal to node's of the bytes, and downloaded as an attachment with
// Range. Every upload request (create, HEAD, PATCH, DELETE) and every download is authorised from its cookies:
// an assistant, a customer of another session, nobody, a recipient who has not accepted are refused with a
// code, and nothing is stored. The limits (empty, over the site's limit before and during the upload, names
// with a path, NUL or 300 characters), a transfer of control or an end in the middle of an upload (its partial
// data removed, a complete file stays), and retention (the bytes go after the period, once across two nodes).
// Time is a fake clock; effects and timers are run by hand.

import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, count, eq } from 'drizzle-orm';
import { events } from '@tandem/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileProgress } from '../src/feed/bus.ts';
import type { FileView } from '../src/feed/views.ts';
import { FakeClock } from '../src/time/clock.ts';
import { Browser, fingerprint, refusalOf, world, type World } from './harness.ts';

const DAY = 86_400_000;
const TUS = { 'tus-resumable': '1.0.0' };
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe.each(['pglite', 'postgres'] as const)('file transfer on %s', (kind) => {
	let w: World;
	const clock = new FakeClock();
	const filesDir = mkdtempSync(join(tmpdir(), 'tandem-files-test-'));
	let ana: Browser;
	let bojan: Browser;
	let ceca: Browser;
	/** A customer of another session (Ceca's). */
	let stranger: Browser;

	beforeAll(async () => {
		w = await world(kind, { clock, filesDir });
		ana = await w.rep('Ana');
		bojan = await w.rep('Bojan');
		ceca = await w.rep('Ceca');
		const other = await (await ceca.api()).session.start();
		stranger = w.browser();
		await (await stranger.api()).session.join({ number: other.number, name: 'Stranger' });
	});
	afterAll(async () => {
		await w?.close();
		rmSync(filesDir, { recursive: true, force: true });
	});

	/** A live session of Ana's with Mira (in focus), Nikola and Bojan assisting. */
	async function scene() {
		const view = await (await ana.api()).session.start();
		const join = async (name: string) => {
			const b = w.browser();
			const { participantId } = await (await b.api()).session.join({ number: view.number, name });
			return { browser: b, id: participantId };
		};
		const mira = await join('Mira');
		const nikola = await join('Nikola');
		await (await bojan.api()).session.assist({ number: view.number });
		return { sessionId: view.id, number: view.number, mira: mira.browser, miraId: mira.id, nikola: nikola.browser };
	}
	const state = async (sessionId: string) => (await w.services.sessions.state(sessionId))!;
	const fileOf = async (sessionId: string, fileId: string) => (await state(sessionId)).files.find((f) => f.id === fileId)!;
	/** What a browser's page is shown of a file (its view of the session). */
	const seen = async (b: Browser, sessionId: string, fileId: string, as: 'rep' | 'customer'): Promise<FileView | undefined> => {
		const it = (await (await b.api()).feed.events({ as }))[Symbol.asyncIterator]();
		const first = (await it.next()).value as unknown;
		await it.return?.();
		const item = (Array.isArray(first) ? first[1] : first) as { sessions: { id: string; files: FileView[] }[] };
		return item.sessions.find((s) => s.id === sessionId)?.files.find((f) => f.id === fileId);
	};
	const offer = async (from: Browser, sessionId: string, size: number, over: { name?: string; to?: string; mediaType?: string } = {}) =>
		(await from.api()).files.offer({
			sessionId,
			name: over.name ?? 'report.pdf',
			size,
			mediaType: over.mediaType ?? 'application/pdf',
			...(over.to ? { to: over.to } : {}),
		});
	const create = (from: Browser, fileId: string, length: number | null, extra: Record<string, string> = {}) =>
		from.files('POST', '/console/api/files', {
			headers: {
				...TUS,
				...(length === null ? {} : { 'upload-length': String(length) }),
				'upload-metadata': `fileId ${b64(fileId)}`,
				...extra,
			},
		});
	const patch = (
		from: Browser,
		fileId: string,
		offset: number,
		body: Uint8Array | ReadableStream<Uint8Array>,
		extra: Record<string, string> = {},
	) =>
		from.files('PATCH', `/console/api/files/${fileId}`, {
			headers: { ...TUS, 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset), ...extra },
			body: body instanceof Uint8Array ? new Blob([new Uint8Array(body)]) : body,
		});
	const head = (from: Browser, fileId: string) => from.files('HEAD', `/console/api/files/${fileId}`, { headers: TUS });
	const download = (from: Browser, fileId: string, headers: Record<string, string> = {}, method = 'GET') =>
		from.files(method, `/console/api/files/${fileId}/content`, { headers });
	/** What a refused request said: its status and code. */
	const said = async (res: Response) => `${res.status} ${await res.text()}`;
	const onDisk = () => readdirSync(filesDir).sort();
	const storedOf = (fileId: string) => onDisk().filter((f) => f.startsWith(fileId));
	/** The files effect, on this node (which holds its lease): partial data of cancelled transfers goes, timers are armed. */
	const runEffects = async (world = w) => {
		for (const e of world.services.effects) if (e.name === 'files') await e.catchUp();
	};
	/** Uploads `bytes` whole: create, then one PATCH. */
	const upload = async (from: Browser, fileId: string, bytes: Uint8Array) => {
		expect((await create(from, fileId, bytes.length)).status).toBe(201);
		const res = await patch(from, fileId, 0, bytes);
		expect(res.status, await res.clone().text()).toBe(204);
	};
	const endAll = async () => {
		for (const id of await w.services.sessions.liveSessionIds()) {
			const s = await state(id);
			if (s.participants.some((p) => p.name === 'Stranger')) continue;
			await w.services.sessions.command(id, { kind: 'system' }, { type: 'endForLostConsole', reason: 'connectionLost' });
		}
		await runEffects();
	};

	it("a rep's file to the customer in focus: offered, accepted, uploaded in parts with a resume after a break, its SHA-256, downloaded with Range", async () => {
		const s = await scene();
		const bytes = randomBytes(300_000);
		const progress: FileProgress[] = [];
		const stopListening = w.services.bus.subscribeFileProgress((p) => progress.push(p));
		const name = 'Izveštaj — mart (1).pdf';
		const { fileId, uploadUrl } = await offer(ana, s.sessionId, bytes.length, { name });
		expect(uploadUrl).toBe(`/console/api/files/${fileId}`);
		expect(await fileOf(s.sessionId, fileId)).toMatchObject({
			status: 'offered',
			sender: { name: 'Ana' },
			recipients: [{ participantId: s.miraId, name: 'Mira' }],
			name,
			size: bytes.length,
			mediaType: 'application/pdf',
		});

		// The receiver sees the offer (name, size, sender) and may accept; an assistant sees that it was sent, no more.
		expect(await seen(s.mira, s.sessionId, fileId, 'customer')).toMatchObject({
			name,
			size: bytes.length,
			sender: { name: 'Ana' },
			part: 'recipient',
			accepted: false,
			can: { accept: true, cancel: false, download: false },
		});
		expect(await seen(bojan, s.sessionId, fileId, 'rep')).toMatchObject({
			name,
			size: bytes.length,
			sender: { name: 'Ana' },
			part: null,
			sha256: null,
			mediaType: null,
			can: { accept: false, cancel: false, download: false },
		});
		expect(await seen(s.nikola, s.sessionId, fileId, 'customer')).toMatchObject({ part: null, can: { download: false } });
		await (await s.mira.api()).files.accept({ sessionId: s.sessionId, fileId });
		expect(await seen(ana, s.sessionId, fileId, 'rep')).toMatchObject({ part: 'sender', acceptedBy: [s.miraId], can: { cancel: true } });

		// Created: the upload's address is the file's; nothing stored yet but an empty file and its record.
		const created = await create(ana, fileId, bytes.length);
		expect(created.status).toBe(201);
		expect(created.headers.get('location')).toBe(`/console/api/files/${fileId}`);
		expect((await fileOf(s.sessionId, fileId)).status).toBe('uploading');

		// The first 100 kB, then a request that breaks off in the middle of its second part.
		expect((await patch(ana, fileId, 0, bytes.subarray(0, 100_000))).headers.get('upload-offset')).toBe('100000');
		let pulls = 0;
		const broken = new ReadableStream<Uint8Array>({
			pull(controller) {
				if (pulls++ === 0) controller.enqueue(bytes.subarray(100_000, 150_000));
				else controller.error(new Error('the network went away'));
			},
		});
		expect((await patch(ana, fileId, 100_000, broken)).ok).toBe(false);
		// HEAD says how far the server got — what is on disk, whatever of the broken part arrived.
		const at = await head(ana, fileId);
		expect(at.status).toBe(200);
		const offset = Number(at.headers.get('upload-offset'));
		expect(at.headers.get('upload-length')).toBe(String(bytes.length));
		expect(offset).toBe(statSync(join(filesDir, fileId)).size);
		expect(offset).toBeGreaterThanOrEqual(100_000);
		expect(offset).toBeLessThanOrEqual(150_000);

		// Resuming at another offset is refused (409, as tus says) and changes nothing.
		const wrong = await patch(ana, fileId, offset + 10, bytes.subarray(offset + 10));
		expect(await said(wrong)).toBe('409 uploadOffsetMismatch');
		expect(statSync(join(filesDir, fileId)).size).toBe(offset);
		expect((await fileOf(s.sessionId, fileId)).status).toBe('uploading');

		// The rest from where the server is: complete, with the SHA-256 of exactly these bytes.
		const rest = await patch(ana, fileId, offset, bytes.subarray(offset));
		expect(rest.status).toBe(204);
		expect(rest.headers.get('upload-offset')).toBe(String(bytes.length));
		const done = await fileOf(s.sessionId, fileId);
		expect(done).toMatchObject({ status: 'complete', sha256: sha256(bytes), completedAt: clock.now() });
		expect(await seen(s.mira, s.sessionId, fileId, 'customer')).toMatchObject({ sha256: sha256(bytes), can: { download: true } });
		expect(await seen(ana, s.sessionId, fileId, 'rep')).toMatchObject({ sha256: sha256(bytes), status: 'complete' });

		// Progress went to the sender and the recipient only, and ended at every byte.
		stopListening();
		expect(progress.length).toBeGreaterThanOrEqual(2);
		for (const p of progress) {
			expect(p).toMatchObject({ sessionId: s.sessionId, fileId, size: bytes.length });
			expect(p.participantIds.sort()).toEqual([done.sender.participantId, s.miraId].sort());
		}
		expect(progress.at(-1)!.bytes).toBe(bytes.length);
		expect(progress.map((p) => p.bytes)).toEqual([...progress.map((p) => p.bytes)].sort((a, b) => a - b));

		// Downloaded whole: an attachment with both names, the offered type, never sniffed.
		const got = await download(s.mira, fileId);
		expect(got.status).toBe(200);
		expect(got.headers.get('content-disposition')).toBe(
			`attachment; filename="Izvestaj _ mart (1).pdf"; filename*=UTF-8''Izve%C5%A1taj%20%E2%80%94%20mart%20%281%29.pdf`,
		);
		expect(got.headers.get('content-type')).toBe('application/pdf');
		expect(got.headers.get('x-content-type-options')).toBe('nosniff');
		expect(got.headers.get('content-length')).toBe(String(bytes.length));
		expect(got.headers.get('accept-ranges')).toBe('bytes');
		expect(got.headers.get('repr-digest')).toBe(`sha-256=:${Buffer.from(sha256(bytes), 'hex').toString('base64')}:`);
		expect(sha256(new Uint8Array(await got.arrayBuffer()))).toBe(sha256(bytes));

		// Range: a part (206), the last bytes, past the end (416); HEAD: the headers only.
		const part = await download(s.mira, fileId, { range: 'bytes=1000-1999' });
		expect(part.status).toBe(206);
		expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${bytes.length}`);
		expect(part.headers.get('content-disposition')).toMatch(/^attachment;/);
		expect(part.headers.get('x-content-type-options')).toBe('nosniff');
		expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(1000, 2000))).toBe(true);
		const tail = await download(s.mira, fileId, { range: 'bytes=-10' });
		expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 10))).toBe(true);
		expect((await download(s.mira, fileId, { range: `bytes=${bytes.length}-` })).status).toBe(416);
		const headOnly = await download(s.mira, fileId, {}, 'HEAD');
		expect([headOnly.status, headOnly.headers.get('content-length'), await headOnly.text()]).toEqual([200, String(bytes.length), '']);
		expect((await download(ana, fileId)).status).toBe(200); // the sender

		// Everyone else is refused, each with its reason.
		expect(await said(await download(bojan, fileId))).toBe('403 notFileRecipient');
		expect(await said(await download(s.nikola, fileId))).toBe('403 notFileRecipient');
		expect(await said(await download(stranger, fileId))).toBe('403 notInSession');
		expect(await said(await download(ceca, fileId))).toBe('403 notInSession');
		expect(await said(await download(w.admin, fileId))).toBe('403 notInSession');
		expect(await said(await download(w.browser(), fileId))).toBe('401 notSignedIn');
		expect(await said(await download(ana, '00000000-0000-4000-8000-000000000000'))).toBe('404 fileNotFound');
		expect(await said(await download(ana, '..%2F..%2Fetc'))).toBe('404 fileNotFound');

		// After the session: reps who took part (its report's readers) and administrators; nobody else.
		await (await ana.api()).session.end({ sessionId: s.sessionId });
		expect((await download(bojan, fileId)).status).toBe(200);
		expect((await download(w.admin, fileId)).status).toBe(200);
		expect((await download(s.mira, fileId)).status).toBe(200);
		expect(await said(await download(ceca, fileId))).toBe('403 notInSession');
		expect(await said(await download(s.nikola, fileId))).toBe('403 notFileRecipient');
	});

	it("a customer's file goes to the rep in control, who accepts it; a recipient who has not accepted may not download", async () => {
		const s = await scene();
		const bytes = randomBytes(5_000);
		// The rep's console feed, open before: it hears of the upload's progress, then of the file's arrival.
		const feed = (await (await ana.api()).feed.events({ as: 'rep' }))[Symbol.asyncIterator]();
		await feed.next();
		const { fileId } = await offer(s.mira, s.sessionId, bytes.length, { name: 'screenshot.png', mediaType: 'image/png' });
		expect((await fileOf(s.sessionId, fileId)).recipients.map((r) => r.name)).toEqual(['Ana']);
		await upload(s.mira, fileId, bytes);
		const heard: { kind: string; bytes?: number; events?: { type: string; file?: { name: string } }[] }[] = [];
		while (!heard.some((i) => i.events?.some((e) => e.type === 'file.uploaded'))) {
			const value = (await feed.next()).value as unknown;
			heard.push((Array.isArray(value) ? value[1] : value) as (typeof heard)[number]);
		}
		await feed.return?.();
		expect(heard.filter((i) => i.kind === 'fileProgress').at(-1)).toMatchObject({
			sessionId: s.sessionId,
			fileId,
			bytes: 5_000,
			size: 5_000,
		});
		expect(heard.flatMap((i) => i.events ?? []).map((e) => [e.type, e.file?.name])).toEqual([
			['file.offered', 'screenshot.png'],
			['file.uploadStarted', 'screenshot.png'],
			['file.uploaded', 'screenshot.png'],
		]);
		expect(await said(await download(ana, fileId))).toBe('403 fileNotAccepted');
		await (await ana.api()).files.accept({ sessionId: s.sessionId, fileId });
		const got = await download(ana, fileId);
		expect(got.headers.get('content-type')).toBe('image/png');
		expect(sha256(new Uint8Array(await got.arrayBuffer()))).toBe(sha256(bytes));
		// A type that would run in the page is served as bytes (and as an attachment anyway).
		const html = Buffer.from('<script>alert(1)</script>');
		const page = await offer(s.mira, s.sessionId, html.length, { name: 'page.html', mediaType: 'text/html' });
		await upload(s.mira, page.fileId, html);
		await (await ana.api()).files.accept({ sessionId: s.sessionId, fileId: page.fileId });
		const served = await download(ana, page.fileId);
		expect(served.headers.get('content-type')).toBe('application/octet-stream');
		expect(served.headers.get('content-disposition')).toMatch(/^attachment; filename="page.html"/);
		await endAll();
	});

	it('every upload request is authorised: an assistant, the recipient, a customer of another session and nobody are refused, and nothing is stored', async () => {
		const s = await scene();
		const bytes = randomBytes(2_000);
		const { fileId } = await offer(ana, s.sessionId, bytes.length);
		const refusedBy: [string, Browser, string][] = [
			['assistant', bojan, '403 assistantsCannotDoThat'],
			['recipient', s.mira, '403 notFileSender'],
			['other customer', s.nikola, '403 notFileSender'],
			["another session's customer", stranger, '403 notInSession'],
			['a rep not in it', ceca, '403 notInSession'],
			['nobody', w.browser(), '401 notSignedIn'],
		];
		const before = await fingerprint(w.services);
		for (const [who, b, answer] of refusedBy) {
			expect(await said(await create(b, fileId, bytes.length)), `create by ${who}`).toBe(answer);
			expect(await said(await head(b, fileId)), `HEAD by ${who}`).toBe(answer);
			expect(await said(await patch(b, fileId, 0, bytes)), `PATCH by ${who}`).toBe(answer);
		}
		expect(await fingerprint(w.services)).toBe(before);
		expect(storedOf(fileId)).toEqual([]);

		// Once the sender created it, the others still cannot touch it: not even ask where it is.
		expect((await create(ana, fileId, bytes.length)).status).toBe(201);
		expect((await patch(ana, fileId, 0, bytes.subarray(0, 500))).status).toBe(204);
		for (const [who, b, answer] of refusedBy) {
			expect(await said(await head(b, fileId)), `HEAD by ${who}`).toBe(answer);
			expect(await said(await patch(b, fileId, 500, bytes.subarray(500))), `PATCH by ${who}`).toBe(answer);
			expect(await said(await b.files('DELETE', `/console/api/files/${fileId}`, { headers: TUS })), `DELETE by ${who}`).toBe(answer);
		}
		expect(statSync(join(filesDir, fileId)).size).toBe(500);
		expect((await fileOf(s.sessionId, fileId)).status).toBe('uploading');
		// An id of no file, or not an id at all.
		expect(await said(await head(ana, '00000000-0000-4000-8000-000000000000'))).toBe('404 fileNotFound');
		expect(await said(await create(ana, 'not-a-file', 10))).toBe('404 fileNotFound');

		// The sender's DELETE (tus termination) is Cancel: the partial data goes with the files effect.
		const deleted = await ana.files('DELETE', `/console/api/files/${fileId}`, { headers: TUS });
		expect(deleted.status).toBe(204);
		expect(await fileOf(s.sessionId, fileId)).toMatchObject({ status: 'cancelled', cancelled: { reason: 'cancelled' } });
		await runEffects();
		expect(storedOf(fileId)).toEqual([]);
		expect(await said(await head(ana, fileId))).toBe('410 fileCancelled');
		expect(await said(await create(ana, fileId, bytes.length))).toBe('410 fileCancelled');
		await endAll();
	});

	it('limits: empty and over-limit files, names with a path, NUL or 300 characters are refused before anything is stored', async () => {
		const s = await scene();
		await (await w.admin.api()).admin.updateSettings({ fileSizeLimitMb: 1 });
		const MB = 1024 * 1024;
		try {
			const before = await fingerprint(w.services);
			const disk = onDisk();
			const api = await ana.api();
			const bojanId = (await state(s.sessionId)).participants.find((p) => p.name === 'Bojan')!.id;
			const tries: [string, () => Promise<unknown>, string][] = [
				['empty', () => offer(ana, s.sessionId, 0), 'fileEmpty'],
				['over the limit', () => offer(ana, s.sessionId, MB + 1), 'fileTooLarge'],
				['a path', () => offer(ana, s.sessionId, 10, { name: '../x' }), 'invalidFileName'],
				['a Windows path', () => offer(ana, s.sessionId, 10, { name: 'C:\\temp\\x.txt' }), 'invalidFileName'],
				['300 characters', () => offer(ana, s.sessionId, 10, { name: 'x'.repeat(300) }), 'invalidFileName'],
				// NUL never reaches the rules: every procedure's input refuses it first.
				['NUL', () => offer(ana, s.sessionId, 10, { name: 'a\u0000.txt' }), 'invalidInput'],
				['by an assistant', () => offer(bojan, s.sessionId, 10), 'assistantsCannotDoThat'],
				["by another session's customer", () => offer(stranger, s.sessionId, 10), 'notSignedIn'],
				['to an assistant', () => offer(ana, s.sessionId, 10, { to: bojanId }), 'notACustomer'],
				['not a size', () => api.files.offer({ sessionId: s.sessionId, name: 'x', size: 1.5 }), 'invalidInput'],
			];
			for (const [what, attempt, code] of tries) expect(await refusalOf(attempt()), what).toBe(code);
			expect(await fingerprint(w.services)).toBe(before);
			expect(onDisk()).toEqual(disk);

			// 1 MB exactly is within it. The upload must be exactly what was offered, within the limit — asked
			// before anything is stored.
			const { fileId } = await offer(ana, s.sessionId, MB);
			expect(await said(await create(ana, fileId, MB + 1))).toBe('413 fileTooLarge');
			expect(await said(await create(ana, fileId, MB - 1))).toBe('400 fileSizeMismatch');
			expect(await said(await create(ana, fileId, null, { 'upload-defer-length': '1' }))).toBe('400 fileSizeMismatch');
			expect(storedOf(fileId)).toEqual([]);
			expect((await fileOf(s.sessionId, fileId)).status).toBe('offered');

			// During the upload: more bytes than declared are refused, and never stored past the size.
			expect((await create(ana, fileId, MB)).status).toBe(201);
			const tooMuch = await patch(ana, fileId, 0, randomBytes(MB + 100), { 'content-length': String(MB + 100) });
			expect(await said(tooMuch)).toBe('413 fileTooLarge');
			expect(statSync(join(filesDir, fileId)).size).toBe(0);
			const streamed = new ReadableStream<Uint8Array>({
				start(controller) {
					for (let i = 0; i < 9; i++) controller.enqueue(randomBytes(128 * 1024)); // 1.125 MB, no length said
					controller.close();
				},
			});
			expect(await said(await patch(ana, fileId, 0, streamed))).toBe('413 fileTooLarge');
			expect(statSync(join(filesDir, fileId)).size).toBeLessThanOrEqual(MB);
			expect((await fileOf(s.sessionId, fileId)).status).toBe('uploading');

			// The limit lowered after an offer: its upload is refused too.
			await (await w.admin.api()).admin.updateSettings({ fileSizeLimitMb: 100 });
			const big = await offer(ana, s.sessionId, 2 * MB);
			await (await w.admin.api()).admin.updateSettings({ fileSizeLimitMb: 1 });
			expect(await said(await create(ana, big.fileId, 2 * MB))).toBe('413 fileTooLarge');
			expect(storedOf(big.fileId)).toEqual([]);
		} finally {
			await (await w.admin.api()).admin.updateSettings({ fileSizeLimitMb: 100 });
		}
		await endAll();
	});

	it('while a session waits for an agent no file is sent; after its end no upload goes on', async () => {
		const queueId = (
			await (await w.admin.api()).admin.createQueue({ name: `Files ${kind}`, members: [], routing: 'everybody', openToCustomers: true })
		).id;
		const asker = w.browser();
		const { sessionId: waiting } = await (await asker.api()).acd.requestHelp({ name: 'Vesna', problem: 'A file', queueId });
		const before = await fingerprint(w.services);
		expect(await refusalOf(offer(asker, waiting, 10))).toBe('sessionWaiting');
		expect(await fingerprint(w.services)).toBe(before);

		const s = await scene();
		const bytes = randomBytes(1_000);
		const { fileId } = await offer(ana, s.sessionId, bytes.length);
		expect((await create(ana, fileId, bytes.length)).status).toBe(201);
		await (await ana.api()).session.end({ sessionId: s.sessionId });
		expect(await fileOf(s.sessionId, fileId)).toMatchObject({ status: 'cancelled', cancelled: { reason: 'sessionEnded' } });
		expect(await said(await patch(ana, fileId, 0, bytes))).toBe('410 sessionEnded');
		expect(await said(await create(ana, fileId, bytes.length))).toBe('410 sessionEnded');
		await runEffects();
		expect(storedOf(fileId)).toEqual([]);
		expect(await refusalOf(offer(ana, s.sessionId, 10))).toBe('sessionEnded');
		for (const id of await w.services.sessions.liveSessionIds())
			if (id === waiting)
				await w.services.sessions.command(id, { kind: 'system' }, { type: 'endForLostConsole', reason: 'connectionLost' });
	});

	it('a transfer of control cancels the uploads in flight both ways and removes their partial data; a complete file stays; both sides are told', async () => {
		const s = await scene();
		const done = randomBytes(4_000);
		const complete = await offer(ana, s.sessionId, done.length);
		await upload(ana, complete.fileId, done);
		const halfway = randomBytes(8_000);
		const ours = await offer(ana, s.sessionId, halfway.length);
		expect((await create(ana, ours.fileId, halfway.length)).status).toBe(201);
		await patch(ana, ours.fileId, 0, halfway.subarray(0, 3_000));
		const theirs = await offer(s.mira, s.sessionId, halfway.length);
		expect((await create(s.mira, theirs.fileId, halfway.length)).status).toBe(201);
		await patch(s.mira, theirs.fileId, 0, halfway.subarray(0, 5_000));
		const notStarted = await offer(ana, s.sessionId, 10);
		expect(storedOf(ours.fileId).length).toBe(2); // the bytes and tus's record of them

		const bojanId = (await state(s.sessionId)).participants.find((p) => p.name === 'Bojan')!.id;
		await (await ana.api()).session.transferControl({ sessionId: s.sessionId, to: bojanId });
		const after = await state(s.sessionId);
		for (const id of [ours.fileId, theirs.fileId, notStarted.fileId])
			expect(after.files.find((f) => f.id === id)).toMatchObject({ status: 'cancelled', cancelled: { reason: 'controlTransferred' } });
		expect(after.files.find((f) => f.id === complete.fileId)?.status).toBe('complete');
		// Both sides are told: the sender and the recipient see the transfer cancelled and why.
		expect(await seen(ana, s.sessionId, ours.fileId, 'rep')).toMatchObject({
			status: 'cancelled',
			cancelled: { reason: 'controlTransferred' },
		});
		expect(await seen(s.mira, s.sessionId, ours.fileId, 'customer')).toMatchObject({ status: 'cancelled', part: 'recipient' });
		expect(await seen(s.mira, s.sessionId, theirs.fileId, 'customer')).toMatchObject({ status: 'cancelled', part: 'sender' });

		// The files effect removes the partial data; going on with either upload is refused and stores nothing.
		await runEffects();
		expect(storedOf(ours.fileId)).toEqual([]);
		expect(storedOf(theirs.fileId)).toEqual([]);
		expect(storedOf(complete.fileId)).toEqual([complete.fileId, `${complete.fileId}.json`]);
		expect(await said(await patch(s.mira, theirs.fileId, 5_000, halfway.subarray(5_000)))).toBe('410 fileCancelled');
		expect(storedOf(theirs.fileId)).toEqual([]);
		// The complete file stays offered and downloadable (Ana, now an assistant, sent it).
		await (await s.mira.api()).files.accept({ sessionId: s.sessionId, fileId: complete.fileId });
		expect(sha256(new Uint8Array(await (await download(s.mira, complete.fileId)).arrayBuffer()))).toBe(sha256(done));
		expect((await download(ana, complete.fileId)).status).toBe(200);
		await endAll();
	});

	it('a cancel breaks off an upload in progress at once; its bytes go', async () => {
		const s = await scene();
		const { fileId } = await offer(ana, s.sessionId, 1_000_000);
		expect((await create(ana, fileId, 1_000_000)).status).toBe(201);
		let sent = 0;
		const slow = new ReadableStream<Uint8Array>({
			pull(controller) {
				// A little at a time, never all of it: the upload is in progress until something stops it.
				if (sent >= 200_000) return new Promise(() => {});
				sent += 50_000;
				controller.enqueue(randomBytes(50_000));
				return undefined;
			},
		});
		const uploading = patch(ana, fileId, 0, slow);
		while (!statSync(join(filesDir, fileId), { throwIfNoEntry: false })?.size) await new Promise((r) => setImmediate(r));
		await (await ana.api()).files.cancel({ sessionId: s.sessionId, fileId });
		expect(await said(await uploading)).toBe('410 fileCancelled');
		await runEffects();
		expect(storedOf(fileId)).toEqual([]);
		expect(await refusalOf((await ana.api()).files.cancel({ sessionId: s.sessionId, fileId }))).toBe('fileCancelled');
		await endAll();
	});

	if (kind === 'postgres') {
		it('an upload broken off on one node resumes on another: the SHA-256 is made again from the stored bytes', async () => {
			const s = await scene();
			const bytes = randomBytes(64_000);
			const { fileId } = await offer(ana, s.sessionId, bytes.length);
			expect((await create(ana, fileId, bytes.length)).status).toBe(201);
			expect((await patch(ana, fileId, 0, bytes.subarray(0, 20_000))).status).toBe(204);
			const other = await w.secondNode();
			try {
				const there = new Browser(other.services);
				for (const [k, v] of ana.cookies) there.cookies.set(k, v);
				expect((await head(there, fileId)).headers.get('upload-offset')).toBe('20000');
				expect((await patch(there, fileId, 20_000, bytes.subarray(20_000))).status).toBe(204);
			} finally {
				await other.close();
			}
			expect((await fileOf(s.sessionId, fileId)).sha256).toBe(sha256(bytes));
			await endAll();
		});
	}

	// Last: a month passes (the reps' sign-ins expire with it).
	it('retention: a complete file is kept for the period, then its bytes are removed and downloads say it is gone', async () => {
		const s = await scene();
		// A day after the files of the cases above (which arrived at the same fake time): they expire first.
		clock.advance(DAY);
		const bytes = randomBytes(1_000);
		const { fileId } = await offer(ana, s.sessionId, bytes.length);
		await upload(ana, fileId, bytes);
		const arrived = clock.now();
		await runEffects();
		expect(await w.services.timers.pending(`file:${fileId}`)).toEqual({ kind: 'file.expire', dueAt: arrived + 30 * DAY });
		await (await s.mira.api()).files.accept({ sessionId: s.sessionId, fileId });
		await (await ana.api()).session.end({ sessionId: s.sessionId });

		clock.advance(30 * DAY - 1_000);
		await w.services.timers.fireDue();
		expect((await download(s.mira, fileId)).status).toBe(200);
		expect(await w.services.timers.pending(`file:${fileId}`)).not.toBeNull();
		clock.advance(2_000);
		if (kind === 'postgres') {
			// Two nodes look for due timers at once: the file expires once.
			const other = await w.secondNode();
			try {
				const fired = await Promise.all([w.services.timers.fireDue(), other.services.timers.fireDue()]);
				expect(fired.reduce((a, b) => a + b, 0)).toBe(1);
			} finally {
				await other.close();
			}
		} else {
			expect(await w.services.timers.fireDue()).toBe(1);
		}
		expect(storedOf(fileId)).toEqual([]);
		expect(await fileOf(s.sessionId, fileId)).toMatchObject({ status: 'expired', expiredAt: clock.now(), sha256: sha256(bytes) });
		const [expired] = await w.services.db
			.select({ n: count() })
			.from(events)
			.where(and(eq(events.aggregateId, s.sessionId), eq(events.type, 'file.expired')));
		expect(expired?.n).toBe(1);
		expect(await said(await download(s.mira, fileId))).toBe('410 fileExpired');
		expect(await w.services.timers.fireDue()).toBe(0);
	});
});
