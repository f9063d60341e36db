// The session's chat through the API (SPEC §9), on PGlite and PostgreSQL: who may write and read, the
// limits counted as people count, a retry that posts once, the transcript a page gets afresh and the lines
// it gets when it resumes, the typing indicator, and the transcript mailed to a customer once over SMTP.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedEvent } from '../src/feed/views.ts';
import type { FeedItem } from '../src/trpc/routers/feed.ts';
import { Browser, feedUntil, fingerprint, refusalOf, world, type World } from './harness.ts';
import { startSmtpServer, type TestSmtpServer } from './smtpServer.ts';

/** The first item of a page's feed: the snapshot (and then the feed closes). */
async function snapshotOf(browser: Browser, as: 'rep' | 'customer', lastEventId?: string) {
	const iterator = (await (await browser.api()).feed.events({ as, ...(lastEventId ? { lastEventId } : {}) }))[Symbol.asyncIterator]();
	const first = (await iterator.next()).value as unknown;
	await iterator.return?.();
	return (Array.isArray(first) ? first[1] : ((first as { data?: unknown }).data ?? first)) as Extract<FeedItem, { kind: 'snapshot' }>;
}

const chatLines = (lines: FeedEvent[] | undefined) =>
	(lines ?? []).filter((l) => l.type === 'chat.posted').map((l) => `${l.who}: ${l.text}`);

describe.each(['pglite', 'postgres'] as const)('chat on %s', (kind) => {
	let w: World;
	let smtp: TestSmtpServer;
	beforeAll(async () => {
		smtp = await startSmtpServer();
		w = await world(kind, { mail: { smtpUrl: smtp.url, from: 'Tandem Support <support@example.com>', timeoutMs: 3_000 } });
	});
	afterAll(async () => {
		await w?.close();
		await smtp?.close();
	});

	/** Ana controls a session with Mira in it, and Bojan assists. */
	async function session() {
		const ana = await w.rep('Ana');
		const bojan = await w.rep('Bojan');
		const view = await (await ana.api()).session.start();
		const mira = w.browser();
		await (await mira.api()).session.join({ number: view.number, name: 'Mira' });
		await (await bojan.api()).session.assist({ number: view.number });
		const say = async (who: Browser, text: string, messageId: string = randomUUID()) =>
			(await who.api()).chat.send({ sessionId: view.id, messageId, text });
		return { sessionId: view.id, number: view.number, ana, bojan, mira, say };
	}

	it('everyone in the session writes; each reads the lines in order, as text, in their feed', async () => {
		const { ana, bojan, mira, say, sessionId } = await session();
		await say(mira, 'Hello, my printer is offline');
		await say(ana, 'Hi Mira — let us look at it');
		await say(bojan, '<img src=x onerror=alert(1)>');
		for (const [who, as] of [
			[ana, 'rep'],
			[bojan, 'rep'],
			[mira, 'customer'],
		] as const) {
			const snapshot = await snapshotOf(who, as);
			expect(chatLines(snapshot.transcripts?.[sessionId])).toEqual([
				'Mira: Hello, my printer is offline',
				'Ana: Hi Mira — let us look at it',
				'Bojan: <img src=x onerror=alert(1)>',
			]);
		}
		// System lines come inline, in order: Mira and Bojan joined before anyone wrote.
		const lines = (await snapshotOf(ana, 'rep')).transcripts![sessionId]!;
		expect(lines.map((l) => l.type).slice(0, 3)).toEqual(['participant.joined', 'participant.joined', 'chat.posted']);
	});

	it('the limit is 2,000 characters as a person counts them (NFC code points); empty, blank or over-long lines change nothing', async () => {
		const { mira, say, sessionId } = await session();
		const before = await fingerprint(w.services);
		expect(await refusalOf(say(mira, ''))).toBe('messageEmpty');
		expect(await refusalOf(say(mira, '  \n\t  '))).toBe('messageEmpty');
		expect(await refusalOf(say(mira, 'x'.repeat(2_001)))).toBe('invalidInput');
		expect(await refusalOf(say(mira, '😀'.repeat(2_001)))).toBe('invalidInput');
		expect(await refusalOf(say(mira, 'a\u0000b'))).toBe('invalidInput');
		expect(await refusalOf(say(mira, 'evil \u202e txt.exe'))).toBe('invalidInput');
		expect(await fingerprint(w.services)).toBe(before);
		// 2,000 emoji are 2,000 characters (4,000 UTF-16 units); "e" + combining acute is one after NFC.
		await say(mira, '😀'.repeat(2_000));
		await say(mira, `${'e\u0301'.repeat(2_000)}`);
		const lines = chatLines((await snapshotOf(mira, 'customer')).transcripts?.[sessionId]);
		expect(lines).toHaveLength(2);
		expect(lines[1]).toBe(`Mira: ${'é'.repeat(2_000)}`);
	});

	it('a message sent again with the same id (a retry) is posted once', async () => {
		const { mira, say, sessionId } = await session();
		const id = randomUUID();
		await Promise.all([say(mira, 'Are you there?', id), say(mira, 'Are you there?', id)]);
		await say(mira, 'Are you there?', id);
		expect(chatLines((await snapshotOf(mira, 'customer')).transcripts?.[sessionId])).toEqual(['Mira: Are you there?']);
	});

	it('who is not in the session cannot write, and reads nothing of it', async () => {
		const { sessionId, say } = await session();
		const ceca = await w.rep('Ceca');
		const stranger = w.browser();
		const other = await (await (await w.rep('Dara')).api()).session.start();
		await (await stranger.api()).session.join({ number: other.number, name: 'Stranger' });
		const before = await fingerprint(w.services);
		expect(await refusalOf(say(ceca, 'let me in'))).toBe('notInSession');
		// A customer of another session is nobody here (their cookie names that other session).
		expect(await refusalOf(say(stranger, 'hi'))).toBe('notSignedIn');
		expect(await refusalOf(say(w.browser(), 'hi'))).toBe('notSignedIn');
		expect(await refusalOf((await ceca.api()).chat.typing({ sessionId }))).toBe('notInSession');
		expect(await fingerprint(w.services)).toBe(before);
		expect((await snapshotOf(ceca, 'rep')).transcripts?.[sessionId]).toBeUndefined();
		expect((await snapshotOf(stranger, 'customer')).transcripts?.[sessionId]).toBeUndefined();
	});

	it('a customer who joins later reads from their joining on; a rep who assists later reads it all', async () => {
		const { ana, mira, say, sessionId, number } = await session();
		await say(mira, 'my account number is 12345');
		const nikola = w.browser();
		await (await nikola.api()).session.join({ number, name: 'Nikola' });
		const dara = await w.rep('Dara');
		await (await dara.api()).session.assist({ number });
		await say(ana, 'Welcome Nikola');
		expect(chatLines((await snapshotOf(nikola, 'customer')).transcripts?.[sessionId])).toEqual(['Ana: Welcome Nikola']);
		expect(chatLines((await snapshotOf(dara, 'rep')).transcripts?.[sessionId])).toEqual([
			'Mira: my account number is 12345',
			'Ana: Welcome Nikola',
		]);
	});

	it('a page that resumes gets exactly the lines it missed, no transcript again', async () => {
		const { mira, say, sessionId } = await session();
		await say(mira, 'one');
		const first = await snapshotOf(mira, 'customer');
		const position = String(Math.max(...first.transcripts![sessionId]!.map((l) => l.id)));
		await say(mira, 'two');
		await say(mira, 'three');
		const resumed = await snapshotOf(mira, 'customer', position);
		expect(resumed.transcripts).toBeUndefined();
		expect(chatLines(resumed.missed)).toEqual(['Mira: two', 'Mira: three']);
	});

	it('the others hear who is typing, live; the typist does not hear themselves', async () => {
		const { ana, mira, sessionId } = await session();
		const heard = await feedUntil(
			ana,
			'rep',
			async () => {
				await (await mira.api()).chat.typing({ sessionId });
				await (await ana.api()).chat.typing({ sessionId });
				await (await mira.api()).chat.send({ sessionId, messageId: randomUUID(), text: 'done typing' });
			},
			(items) => items.some((i) => i.kind === 'session'),
		);
		expect(heard.filter((i) => i.kind === 'typing').map((i) => (i.kind === 'typing' ? i.name : ''))).toEqual(['Mira']);
	});

	it('the transcript survives a transfer of control, marked by a system line', async () => {
		const { ana, bojan, mira, say, sessionId } = await session();
		await say(mira, 'before');
		const bojanId = (await w.services.sessions.state(sessionId))!.participants.find((p) => p.name === 'Bojan')!.id;
		await (await ana.api()).session.transferControl({ sessionId, to: bojanId, leave: false });
		await say(ana, 'after, as an assistant');
		const lines = (await snapshotOf(bojan, 'rep')).transcripts![sessionId]!;
		const i = lines.findIndex((l) => l.type === 'control.transferred');
		expect(lines[i]).toMatchObject({ who: 'Ana', to: 'Bojan' });
		expect(chatLines(lines.slice(0, i))).toEqual(['Mira: before']);
		expect(chatLines(lines.slice(i))).toEqual(['Ana: after, as an assistant']);
	});

	it('after the end, a customer has the transcript mailed once, in their language; others cannot', async () => {
		const { ana, bojan, mira, say, sessionId, number } = await session();
		await say(mira, 'Zdravo');
		await say(ana, 'Kako mogu da pomognem?');
		expect(await refusalOf((await mira.api()).chat.mailTranscript({ sessionId, to: 'mira@example.com', language: 'sr' }))).toBe(
			'sessionNotEnded',
		);
		await (await ana.api()).session.end({ sessionId });
		expect(await refusalOf((await bojan.api()).chat.mailTranscript({ sessionId, to: 'b@example.com', language: 'en' }))).toBe(
			'notACustomer',
		);
		expect(await refusalOf((await w.browser().api()).chat.mailTranscript({ sessionId, to: 'x@example.com', language: 'en' }))).toBe(
			'notSignedIn',
		);
		expect(await refusalOf((await mira.api()).chat.mailTranscript({ sessionId, to: 'not an address', language: 'sr' }))).toBe(
			'invalidInput',
		);
		await (await mira.api()).chat.mailTranscript({ sessionId, to: 'mira@example.com', language: 'sr', timeZone: 'Europe/Belgrade' });
		const mail = await smtp.mailTo('mira@example.com');
		expect(mail.parsed.subject).toContain(number.replace(/(\d{3})(\d{3})(\d{3})/, '$1 $2 $3'));
		expect(mail.parsed.text).toContain('Mira: Zdravo');
		expect(mail.parsed.text).toContain('Ana: Kako mogu da pomognem?');
		expect(mail.parsed.text).toContain('Sesija je završena');
		expect(await refusalOf((await mira.api()).chat.mailTranscript({ sessionId, to: 'other@example.com', language: 'en' }))).toBe(
			'transcriptAlreadySent',
		);
		expect(smtp.received.filter((m) => m.to.includes('other@example.com'))).toEqual([]);
		const view = (await snapshotOf(mira, 'customer')).sessions.find((s) => s.id === sessionId);
		expect(view?.transcriptMail).toBe('sent');
	});

	it('a mail server that refuses: the customer is told, and may try again', async () => {
		const { ana, mira, say, sessionId } = await session();
		await say(mira, 'hello');
		await (await ana.api()).session.end({ sessionId });
		smtp.refuseWith({ code: 550, message: 'No such mailbox here' });
		try {
			expect(await refusalOf((await mira.api()).chat.mailTranscript({ sessionId, to: 'nope@example.com', language: 'en' }))).toBe(
				'mailNotSent',
			);
		} finally {
			smtp.refuseWith(null);
		}
		await (await mira.api()).chat.mailTranscript({ sessionId, to: 'mira2@example.com', language: 'en' });
		expect((await smtp.mailTo('mira2@example.com')).parsed.text).toContain('Mira: hello');
	});

	it('Get help’s e-mail is offered on the closing screen (the customer’s own view only)', async () => {
		const admin = await w.admin.api();
		const queueId = (await admin.admin.createQueue({ name: `Chat ${kind}`, members: [], routing: 'everybody', openToCustomers: true })).id;
		const vesna = w.browser();
		const { sessionId } = await (
			await vesna.api()
		).acd.requestHelp({ name: 'Vesna', problem: 'help', queueId, email: 'vesna@example.com' });
		const view = (await snapshotOf(vesna, 'customer')).sessions.find((s) => s.id === sessionId);
		expect(view?.contact).toBe('vesna@example.com');
		await (await vesna.api()).session.leave({ sessionId });
	});
});
