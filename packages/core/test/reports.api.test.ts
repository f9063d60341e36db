// Reports (SPEC §10) through the real router and the console's download routes as they hand requests to
// core: the history a rep sees (their own sessions; an administrator all), its filters (date, rep, queue,
// customer name, number) and keyset pages; a session's report — participants with times and roles, the
// control chain with a WebACD hand-off and its queue wait, the transcript with system lines, files, the
// survey; the CSV parsed back by a real CSV parser (quotes, commas, line breaks and č/ć/š/ž/đ survive,
// formulas are neutralised) and the JSON. The survey: once per customer, 1–5, ≤ 1,000 code points, only by
// a customer of the ended session. Bad input is refused and changes nothing. Time is a fake clock.

import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionReport } from '../src/reports/reports.ts';
import { FakeClock } from '../src/time/clock.ts';
import { Browser, fingerprint, refusalOf, reportGet, world, type World } from './harness.ts';

const MINUTE = 60_000;

describe.each(['pglite', 'postgres'] as const)('reports on %s', (kind) => {
	let w: World;
	const clock = new FakeClock(Date.parse('2026-11-02T09:00:00Z'));
	let ana: Browser;
	let bojan: Browser;
	let eva: Browser;
	let evaId = '';
	let anaId = '';
	let queueId = '';
	let release = async () => {};
	/** Ana's session with =Đorđe: Bojan assists, gets control and-leave… then hands it to the Printers queue, Eva takes it. */
	let first = { id: '', number: '' };
	let customer: Browser;
	/** Bojan's own session, a day later, with Mira. */
	let second = { id: '', number: '' };

	const ODD_NAME = '=Đorđe "Đoka", Jr.';
	const FILE = new TextEncoder().encode('printer log: čćžšđ\n');
	const FILE_NAME = 'log, "v2".txt';
	const ODD_LINE = 'Zdravo, "štampač" ne radi;\nčđćžš — druga linija';

	beforeAll(async () => {
		w = await world(kind, { clock });
		const admin = await w.admin.api();
		ana = await w.rep('Ana');
		bojan = await w.rep('Bojan');
		eva = await w.rep('Eva');
		anaId = (await (await ana.api()).auth.status()).me!.id;
		evaId = (await (await eva.api()).auth.status()).me!.id;
		await admin.admin.updateRep({ id: evaId, isAgent: true });
		// Transfer session is an agent's (SPEC §7): Bojan is one too, not in the queue.
		await admin.admin.updateRep({ id: (await (await bojan.api()).auth.status()).me!.id, isAgent: true });
		release = await w.services.lifeline.connected(evaId, 'console-eva');
		queueId = (await admin.admin.createQueue({ name: 'Printers', members: [evaId], routing: 'mostIdle', openToCustomers: true })).id;

		// The first session: Ana starts, =Đorđe joins and writes, Bojan assists and takes control and-leave…
		const anaApi = await ana.api();
		const view = await anaApi.session.start();
		first = { id: view.id, number: view.number };
		customer = w.browser();
		const { participantId } = await (await customer.api()).session.join({ number: view.number, name: ODD_NAME });
		await (await customer.api()).chat.send({ sessionId: view.id, messageId: crypto.randomUUID(), text: ODD_LINE });
		// =Đorđe sends Ana a file (tus: create, then its bytes).
		const { fileId } = await (
			await customer.api()
		).files.offer({ sessionId: view.id, name: FILE_NAME, size: FILE.length, mediaType: 'text/plain' });
		const tus = { 'tus-resumable': '1.0.0' };
		await customer.files('POST', '/console/api/files', {
			headers: { ...tus, 'upload-length': String(FILE.length), 'upload-metadata': `fileId ${Buffer.from(fileId).toString('base64')}` },
		});
		const sent = await customer.files('PATCH', `/console/api/files/${fileId}`, {
			headers: { ...tus, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
			body: new Blob([FILE]),
		});
		expect(sent.status).toBe(204);
		clock.advance(MINUTE);
		const bojanApi = await bojan.api();
		await bojanApi.session.assist({ number: view.number });
		const bojanPid = (await w.services.sessions.state(view.id))!.participants.find((p) => p.name === 'Bojan')!.id;
		await anaApi.session.transferControl({ sessionId: view.id, to: bojanPid, leave: true });
		expect(participantId).toBeTruthy();
		clock.advance(MINUTE);
		// …then Bojan hands the session to the Printers queue, where Eva takes it after 2 minutes' wait.
		await bojanApi.acd.transfer({ sessionId: view.id, queueId, agents: [], message: 'Printer driver' });
		clock.advance(2 * MINUTE);
		await w.services.router.pass();
		const [offer] = await (await eva.api()).acd.offers();
		await (await eva.api()).acd.accept({ sessionId: view.id, offerId: offer!.offerId });
		clock.advance(MINUTE);
		await (await eva.api()).session.end({ sessionId: view.id });

		// The second session, a day later: Bojan's own, with Mira, still live.
		clock.advance(24 * 60 * MINUTE);
		const other = await (await bojan.api()).session.start();
		second = { id: other.id, number: other.number };
		await (await w.browser().api()).session.join({ number: other.number, name: 'Mira' });
	});
	afterAll(async () => {
		await release();
		await w?.close();
	});

	it('a rep sees the sessions they took part in, newest first; an administrator sees all', async () => {
		const numbers = async (b: Browser) => (await (await b.api()).reports.history({})).rows.map((r) => r.number);
		expect(await numbers(ana)).toEqual([first.number]);
		expect(await numbers(bojan)).toEqual([second.number, first.number]);
		expect(await numbers(eva)).toEqual([first.number]);
		expect(await numbers(w.admin)).toEqual([second.number, first.number]);
		const [row] = (await (await ana.api()).reports.history({})).rows;
		expect(row).toMatchObject({ status: 'ended', reps: ['Ana', 'Bojan', 'Eva'], customers: [ODD_NAME], queues: ['Printers'] });
		expect(Date.parse(row!.endedAt!) - Date.parse(row!.startedAt)).toBe(5 * MINUTE);
	});

	it('filters by date, rep, queue, customer name and number, and pages by keyset', async () => {
		const admin = await w.admin.api();
		const numbers = async (filter: object, pageSize = 25) => (await admin.reports.history({ filter, pageSize })).rows.map((r) => r.number);
		expect(await numbers({ from: '2026-11-03T00:00:00Z' })).toEqual([second.number]);
		expect(await numbers({ to: '2026-11-02T23:59:59Z' })).toEqual([first.number]);
		expect(await numbers({ repId: anaId })).toEqual([first.number]);
		expect(await numbers({ repId: evaId })).toEqual([first.number]);
		expect(await numbers({ queueId })).toEqual([first.number]);
		expect(await numbers({ customer: 'đOrĐ' })).toEqual([first.number]);
		expect(await numbers({ customer: 'mir' })).toEqual([second.number]);
		expect(await numbers({ customer: '%' })).toEqual([]); // a wildcard typed is a character, not a pattern
		expect(await numbers({ number: `${second.number.slice(0, 3)} ${second.number.slice(3, 6)}-${second.number.slice(6)}` })).toEqual([
			second.number,
		]);
		const page1 = await admin.reports.history({ pageSize: 1 });
		expect(page1.rows.map((r) => r.number)).toEqual([second.number]);
		const page2 = await admin.reports.history({ pageSize: 1, after: page1.next! });
		expect(page2.rows.map((r) => r.number)).toEqual([first.number]);
		expect(page2.next).toBeNull();
		// A rep's filter by another rep still shows only their own sessions.
		expect(
			(await (await ana.api()).reports.history({ filter: { repId: (await (await bojan.api()).auth.status()).me!.id } })).rows.map(
				(r) => r.number,
			),
		).toEqual([first.number]);
	});

	it("the report tells who was there, the control chain with the queue's wait, the transcript and the end", async () => {
		const report = await (await ana.api()).reports.session({ sessionId: first.id, language: 'en' });
		expect(report.schema).toBe('tandem.sessionReport/1');
		expect(report.session).toMatchObject({ number: first.number, status: 'ended', endedBy: 'Eva', endReason: 'ended' });
		const people = Object.fromEntries(report.participants.map((p) => [p.name, p]));
		expect(people.Ana).toMatchObject({ roles: ['controller', 'assistant'], leftBecause: 'handedOver' });
		expect(people.Bojan).toMatchObject({ roles: ['assistant', 'controller'], leftBecause: 'handedOver' });
		expect(people.Eva).toMatchObject({ roles: ['controller'], leftBecause: 'sessionEnded' });
		expect(people[ODD_NAME]).toMatchObject({ roles: ['customer'], repId: null, leftBecause: 'sessionEnded' });
		expect(report.control.map((c) => [c.kind, c.by, c.to, c.queue])).toEqual([
			['started', 'Ana', null, null],
			['transferredAndLeft', 'Ana', 'Bojan', null],
			['handedOver', 'Bojan', null, 'Printers'],
			['offered', null, 'Eva', 'Printers'],
			['accepted', null, 'Eva', 'Printers'],
			['ended', 'Eva', null, null],
		]);
		expect(report.control.find((c) => c.kind === 'accepted')!.waitedMs).toBe(2 * MINUTE);
		expect(report.queueWaits).toEqual([expect.objectContaining({ queue: 'Printers', outcome: 'accepted', agent: 'Eva' })]);
		expect(report.queueWaits[0]!.to! - report.queueWaits[0]!.from).toBe(2 * MINUTE);
		expect(report.transcript.find((l) => l.kind === 'chat')).toMatchObject({ who: ODD_NAME, text: ODD_LINE });
		expect(report.transcript.filter((l) => l.kind === 'system').map((l) => l.text)).toContain(`${ODD_NAME} joined`);
		expect(report.files).toEqual([
			expect.objectContaining({
				name: FILE_NAME,
				size: FILE.length,
				sender: ODD_NAME,
				status: 'complete',
				sha256: createHash('sha256').update(FILE).digest('hex'),
				download: `/console/api/files/${report.files[0]!.id}/content`,
			}),
		]);
		// Eva, who took the session over later, downloads it from the report.
		const got = await eva.files('GET', report.files[0]!.download!);
		expect(new Uint8Array(await got.arrayBuffer())).toEqual(FILE);
		// Serbian words for the system lines when the rep reads in Serbian.
		const sr = await (await ana.api()).reports.session({ sessionId: first.id, language: 'sr' });
		expect(
			sr.transcript
				.filter((l) => l.kind === 'system')
				.map((l) => l.text)
				.join('\n'),
		).not.toContain('joined');
	});

	it('the customer answers the survey once; the report and the history show it', async () => {
		const api = await customer.api();
		const before = await fingerprint(w.services);
		for (const [answer, code] of [
			[{ rating: 0, comment: '' }, 'invalidInput'],
			[{ rating: 6, comment: '' }, 'invalidInput'],
			[{ rating: 4.5, comment: '' }, 'invalidInput'],
			[{ rating: 4, comment: 'ž'.repeat(1001) }, 'invalidInput'],
		] as const)
			expect(await refusalOf(api.reports.answerSurvey({ sessionId: first.id, ...answer }))).toBe(code);
		expect(await refusalOf((await w.browser().api()).reports.answerSurvey({ sessionId: first.id, rating: 5, comment: '' }))).toBe(
			'notSignedIn',
		);
		expect(await refusalOf((await ana.api()).reports.answerSurvey({ sessionId: first.id, rating: 5, comment: '' }))).toBe('notACustomer');
		expect(await fingerprint(w.services)).toBe(before);

		await api.reports.answerSurvey({ sessionId: first.id, rating: 4, comment: '😀'.repeat(1000) });
		expect(await refusalOf(api.reports.answerSurvey({ sessionId: first.id, rating: 5, comment: '' }))).toBe('surveyAlreadyAnswered');
		const report = await (await eva.api()).reports.session({ sessionId: first.id });
		expect(report.surveys).toEqual([expect.objectContaining({ customer: ODD_NAME, rating: 4, comment: '😀'.repeat(1000) })]);
		const history = await (await w.admin.api()).reports.history({});
		expect(history.rows.find((r) => r.id === first.id)).toMatchObject({ surveys: 1, rating: 4 });
		const ratings = await (await w.admin.api()).reports.ratings({});
		expect(ratings).toMatchObject({ count: 1, rating: 4 });
		expect(ratings.byRep.map((r) => [r.name, r.rating])).toEqual([
			['Ana', 4],
			['Bojan', 4],
			['Eva', 4],
		]);
		expect(ratings.byQueue.map((r) => [r.name, r.surveys, r.rating])).toEqual([['Printers', 1, 4]]);
		// Filtered: a day with no rated session; a rep's own average, without the breakdowns.
		expect(await (await w.admin.api()).reports.ratings({ filter: { from: '2026-11-03T00:00:00Z' } })).toMatchObject({
			count: 0,
			rating: null,
		});
		expect(await (await ana.api()).reports.ratings({})).toEqual({ count: 1, rating: 4, byRep: [], byQueue: [] });
	});

	it('a rep cannot read the report of a session they were not in (403); bad filters are refused', async () => {
		const anaApi = await ana.api();
		expect(await refusalOf(anaApi.reports.session({ sessionId: second.id }))).toBe('reportNotYours');
		expect(await refusalOf(anaApi.reports.session({ sessionId: crypto.randomUUID() }))).toBe('reportNotYours');
		expect(await refusalOf((await w.admin.api()).reports.session({ sessionId: crypto.randomUUID() }))).toBe('reportNotFound');
		for (const bad of [
			{ filter: { from: '2026-13-45' } },
			{ filter: { from: 'yesterday' } },
			{ filter: { from: '2026-11-03T00:00:00Z', to: '2026-11-02T00:00:00Z' } },
			{ pageSize: 1_000_000 },
			{ pageSize: 0 },
			{ filter: { number: '12345' } },
			{ filter: { customer: 'x'.repeat(101) } },
			{ after: 'not-a-cursor' },
		])
			expect(await refusalOf(anaApi.reports.history(bad as never)), JSON.stringify(bad)).toBe('invalidInput');
		expect(await refusalOf((await w.browser().api()).reports.history({}))).toBe('notSignedIn');
	});

	it('the CSV survives a real CSV parser: quotes, commas, line breaks, Serbian letters; formulas neutralised', async () => {
		const get = (b: Browser, path: string) => reportGet(b, w.services, path);
		const download = await get(ana, `/console/api/reports/${first.id}?format=csv&lang=sr`);
		expect(download.status).toBe(200);
		expect(download.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
		expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="tandem-session-\d{9}\.csv"$/);
		const bytes = new Uint8Array(await download.arrayBuffer());
		expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM
		const records = parse(Buffer.from(bytes).toString('utf8'), { bom: true, relax_column_count: false }) as string[][];
		expect(records[0]).toHaveLength(5);
		const chat = records.find((r) => r[4] === ODD_LINE);
		expect(chat, 'the chat line with quotes, commas, a line break and č/đ/ć/ž/š').toBeTruthy();
		expect(chat![2]).toBe(`'${ODD_NAME}`); // a name beginning with = is neutralised
		expect(records.some((r) => r[2]?.startsWith('='))).toBe(false);
		expect(records.find((r) => r[3] === FILE_NAME)?.[4]).toContain('sha256 ');
		expect(records.find((r) => r[3] === '4')?.[2]).toBe(`'${ODD_NAME}`); // the survey

		const list = await get(ana, '/console/api/reports?format=csv&customer=%C4%91or');
		const rows = parse(await list.text(), { bom: true }) as string[][];
		expect(rows).toHaveLength(2);
		expect(rows[1]![6]).toBe(`'${ODD_NAME}`);
		expect(rows[1]![0]!.replace(/\s/g, '')).toBe(first.number);

		const json = (await (await get(ana, `/console/api/reports/${first.id}?format=json`)).json()) as SessionReport;
		expect(json).toMatchObject({ schema: 'tandem.sessionReport/1', session: { id: first.id } });
		expect(json.transcript.find((l) => l.kind === 'chat')?.text).toBe(ODD_LINE);

		expect((await get(w.browser(), '/console/api/reports?format=csv')).status).toBe(401);
		const refusedList = await get(ana, '/console/api/reports?format=csv&from=nope&lang=sr');
		expect(refusedList.status).toBe(400);
		expect(await refusedList.text()).not.toMatch(/at |\/work|select/i);
		const notYours = await get(ana, `/console/api/reports/${second.id}?format=csv`);
		expect(notYours.status).toBe(403);
	});
});
