// Invitations (SPEC §3) through the real router, on PGlite and PostgreSQL: Copy link, Use my own e-mail
// program (mailto), Send over SMTP to a real SMTP server started here, revoking, expiry, the wrong role,
// and the bad input the issue names — each a clear error that changes nothing.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invitations } from '@tandem/db';
import { verifyChain } from '../src/audit/chain.ts';
import { viewFor } from '../src/feed/views.ts';
import { eventsOf } from '../src/log/eventLog.ts';
import { FakeClock } from '../src/time/clock.ts';
import type { SessionEvent } from '../src/session/model.ts';
import { refusalOf, world, type Browser, type World } from './harness.ts';
import { startSmtpServer, type TestSmtpServer } from './smtpServer.ts';

const HOUR = 3600_000;
const tokenOf = (link: string) => new URL(link).searchParams.get('invite')!;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

async function repId(b: Browser): Promise<string> {
	return (await (await b.api()).auth.status()).me!.id;
}

/** What the rep's console shows of a session (the feed sends the same view). */
async function repView(w: World, b: Browser, sessionId: string) {
	return viewFor((await w.services.sessions.state(sessionId))!, { kind: 'rep', repId: await repId(b) });
}

async function eventTypes(w: World, sessionId: string): Promise<string[]> {
	return (await eventsOf(w.services.db, 'session', sessionId)).map((r) => r.type);
}

async function invitationRows(w: World, sessionId: string) {
	return w.services.db.select().from(invitations).where(eq(invitations.sessionId, sessionId)).orderBy(asc(invitations.createdAt));
}

describe.each(['pglite', 'postgres'] as const)('invitations on %s', (kind) => {
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

	it('Copy link: a tokenised customer link; the customer sees the session and joins with only a name', async () => {
		const ana = await w.rep('Ana');
		const s = await (await ana.api()).session.start();
		const made = await (await ana.api()).invite.create({ sessionId: s.id, role: 'customer', via: 'link' });

		expect(made.link).toMatch(/^http:\/\/127\.0\.0\.1:3000\/\?invite=[A-Za-z0-9_-]{43}$/);
		const token = tokenOf(made.link);
		expect(Buffer.from(token, 'base64url')).toHaveLength(32); // 256 random bits
		// Only the token's hash is kept; neither the events nor the session's state carry it.
		const [row] = await invitationRows(w, s.id);
		expect(row).toMatchObject({
			id: made.invitation.id,
			role: 'customer',
			via: 'link',
			tokenHash: sha256(token),
			sentAt: null,
			revokedAt: null,
		});
		expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(24 * HOUR);
		const payloads = (await eventsOf(w.services.db, 'session', s.id)).map((e) => e.payload);
		expect(JSON.stringify(payloads)).not.toContain(token);
		expect(JSON.stringify(await w.services.sessions.state(s.id))).not.toContain(token);

		// The dialog lists it live, with nothing secret.
		expect((await repView(w, ana, s.id)).invitations).toEqual([made.invitation]);

		const customer = w.browser();
		const preview = await (await customer.api()).invite.preview({ token, as: 'customer' });
		expect(preview).toMatchObject({ role: 'customer', sessionId: s.id, numberFormatted: s.numberFormatted, repName: 'Ana' });
		const joined = await (await customer.api()).session.joinByInvite({ token, name: ' Marko ' });
		expect(joined.sessionId).toBe(s.id);
		expect(customer.cookies.has('tandem_customer')).toBe(true);
		const state = (await w.services.sessions.state(s.id))!;
		expect(state.participants.map((p) => [p.name, p.role])).toEqual([
			['Ana', 'controller'],
			['Marko', 'customer'],
		]);
		// A reload (same cookie) is the same participant.
		expect((await (await customer.api()).session.joinByInvite({ token, name: 'Marko' })).participantId).toBe(joined.participantId);

		// Each step is a session event in the hash chain; the join names its invitation.
		expect(await eventTypes(w, s.id)).toEqual(['session.started', 'invitation.created', 'participant.joined']);
		const events = await eventsOf(w.services.db, 'session', s.id);
		expect((events[2]!.payload as SessionEvent & { invitationId?: string }).invitationId).toBe(made.invitation.id);
		expect(verifyChain(w.services.config.auditKey, events)).toBeNull();
	});

	it('Use my own e-mail program: a mailto with the recipient, and a subject and body naming the rep, the number and the link', async () => {
		const milan = await w.rep('Milan', { language: 'sr' });
		const s = await (await milan.api()).session.start();
		const made = await (
			await milan.api()
		).invite.create({ sessionId: s.id, role: 'customer', via: 'mailto', recipient: ' jovana@example.com ' });
		const mailto = new URL(made.mailto);
		expect(mailto.protocol).toBe('mailto:');
		expect(mailto.pathname).toBe('jovana@example.com');
		expect(mailto.searchParams.get('subject')).toBe(made.subject);
		expect(mailto.searchParams.get('body')).toBe(made.body.replace(/\n/g, '\r\n'));
		// The inviting rep works in Serbian: so do the words.
		expect(made.subject).toBe(`Milan vas poziva u sesiju podrške ${s.numberFormatted}`);
		expect(made.body).toContain(made.link);
		expect(made.body).toContain(s.numberFormatted);
		expect(made.body).toContain('http://127.0.0.1:3000/');
		expect(made.invitation).toMatchObject({ via: 'mailto', recipient: 'jovana@example.com', sentAt: null });
		// Without an address the rep types it in their program.
		const bare = await (await milan.api()).invite.create({ sessionId: s.id, role: 'rep', via: 'mailto' });
		expect(bare.mailto).toMatch(/^mailto:\?subject=/);
		expect(bare.link).toMatch(/^http:\/\/127\.0\.0\.1:3000\/console\/\?invite=/);
	});

	it('Send: the mail reaches a real SMTP server with subject, body and link; the link works', async () => {
		const ana = await w.rep('Ana2');
		const s = await (await ana.api()).session.start();
		const sent = await (await ana.api()).invite.send({ sessionId: s.id, role: 'customer', recipient: 'Vesna@Example.com' });
		expect(sent).toMatchObject({ transport: 'smtp' });
		expect(sent.invitation.sentAt).not.toBeNull();

		const mail = await smtp.mailTo('Vesna@Example.com');
		expect(mail.parsed.from?.value).toEqual([{ name: 'Tandem Support', address: 'support@example.com' }]);
		expect(mail.parsed.subject).toBe(`Ana2 invites you to support session ${s.numberFormatted}`);
		expect(mail.parsed.headers.get('content-language')).toBe('en');
		const text = mail.parsed.text!;
		expect(text).toContain('Ana2 from Support invites you');
		expect(text).toContain(s.numberFormatted);
		const link = /http:\/\/127\.0\.0\.1:3000\/\?invite=[A-Za-z0-9_-]{43}/.exec(text)?.[0];
		expect(link).toBeDefined();
		expect((await invitationRows(w, s.id))[0]).toMatchObject({
			recipient: 'Vesna@Example.com',
			via: 'email',
			tokenHash: sha256(tokenOf(link!)),
		});

		await (await w.browser().api()).session.joinByInvite({ token: tokenOf(link!), name: 'Vesna' });
		expect((await w.services.sessions.state(s.id))!.participants.map((p) => p.name)).toEqual(['Ana2', 'Vesna']);
		expect(await eventTypes(w, s.id)).toEqual(['session.started', 'invitation.created', 'invitation.sent', 'participant.joined']);
	});

	it('a rep invitation goes out in that rep’s language, and its link makes them an assistant once signed in', async () => {
		const ana = await w.rep('Ana3');
		const jelena = await w.rep('Jelena', { language: 'sr' });
		const jelenaEmail = (await (await jelena.api()).auth.status()).me!.email;
		const s = await (await ana.api()).session.start();
		await (await ana.api()).invite.send({ sessionId: s.id, role: 'rep', recipient: jelenaEmail.toUpperCase() });

		const mail = await smtp.mailTo(jelenaEmail.toUpperCase());
		expect(mail.parsed.subject).toBe(`Ana3 vas poziva da asistirate u sesiji podrške ${s.numberFormatted}`);
		expect(mail.parsed.headers.get('content-language')).toBe('sr');
		const link = /http:\/\/127\.0\.0\.1:3000\/console\/\?invite=[A-Za-z0-9_-]{43}/.exec(mail.parsed.text!)?.[0];
		expect(link).toBeDefined();
		const token = tokenOf(link!);

		// Anonymous: sign in first. A customer cannot use it either.
		expect(await refusalOf((await w.browser().api()).session.assistByInvite({ token }))).toBe('notSignedIn');
		expect(await refusalOf((await w.browser().api()).session.joinByInvite({ token, name: 'Sneaky' }))).toBe('invitationWrongRole');
		expect(await refusalOf((await w.browser().api()).invite.preview({ token, as: 'customer' }))).toBe('invitationWrongRole');

		expect(await (await jelena.api()).invite.preview({ token, as: 'rep' })).toMatchObject({ role: 'rep', repName: 'Ana3' });
		const view = await (await jelena.api()).session.assistByInvite({ token });
		expect(view.me?.role).toBe('assistant');
		expect(view.can.invite).toBe(false);
		expect(view.invitations).toEqual([]); // only the controller sees them
		expect((await w.services.sessions.state(s.id))!.controllerId).toBe(s.me!.participantId);
	});

	it('a customer link does not make an assistant', async () => {
		const ana = await w.rep('Ana4');
		const bojan = await w.rep('Bojan');
		const s = await (await ana.api()).session.start();
		const { link } = await (await ana.api()).invite.create({ sessionId: s.id, role: 'customer', via: 'link' });
		expect(await refusalOf((await bojan.api()).session.assistByInvite({ token: tokenOf(link) }))).toBe('invitationWrongRole');
		expect(await refusalOf((await bojan.api()).invite.preview({ token: tokenOf(link), as: 'rep' }))).toBe('invitationWrongRole');
		expect((await w.services.sessions.state(s.id))!.participants).toHaveLength(1);
	});

	it('an invalid e-mail address is refused and nothing is made', async () => {
		const ana = await w.rep('Ana5');
		const s = await (await ana.api()).session.start();
		const api = await ana.api();
		for (const recipient of ['', '   ', 'not-an-address', 'a@', '@example.com', 'a b@example.com', `${'x'.repeat(250)}@example.com`]) {
			expect(await refusalOf(api.invite.send({ sessionId: s.id, role: 'customer', recipient }))).toBe('invalidEmail');
		}
		expect(await refusalOf(api.invite.create({ sessionId: s.id, role: 'customer', via: 'mailto', recipient: 'nope' }))).toBe(
			'invalidEmail',
		);
		expect(await invitationRows(w, s.id)).toEqual([]);
		expect(await eventTypes(w, s.id)).toEqual(['session.started']);
		expect(smtp.received.filter((m) => m.to.includes('nope'))).toEqual([]);
	});

	it('an SMTP server that refuses: the rep is told why, and the invitation is not marked sent', async () => {
		const ana = await w.rep('Ana6');
		const s = await (await ana.api()).session.start();
		smtp.refuseWith({ code: 550, message: 'No such mailbox here' });
		try {
			const call = (await ana.api()).invite.send({ sessionId: s.id, role: 'customer', recipient: 'ghost@example.com' });
			const error = await call.then(
				() => null,
				(e: { cause?: { code?: string; params?: Record<string, string> } }) => e.cause,
			);
			expect(error?.code).toBe('mailNotSent');
			expect(error?.params?.reason).toMatch(/550/);
		} finally {
			smtp.refuseWith(null);
		}
		const [row] = await invitationRows(w, s.id);
		expect(row).toMatchObject({ sentAt: null, recipient: 'ghost@example.com' });
		expect(row!.sendError).toMatch(/550 No such mailbox here/);
		// Nobody got its link: it is withdrawn, not listed, and recorded as not sent.
		expect(row!.revokedAt).not.toBeNull();
		expect((await repView(w, ana, s.id)).invitations).toEqual([]);
		expect(await eventTypes(w, s.id)).toEqual(['session.started', 'invitation.created', 'invitation.notSent']);
	});

	it('an SMTP server that is down: the rep is told, and nothing is marked sent', async () => {
		const down = await startSmtpServer();
		await down.close(); // a port where nothing listens now
		const other = await world(kind, { mail: { smtpUrl: down.url, from: 'Tandem <t@example.com>', timeoutMs: 2_000 } });
		try {
			const ana = await other.rep('Ana');
			const s = await (await ana.api()).session.start();
			expect(await refusalOf((await ana.api()).invite.send({ sessionId: s.id, role: 'rep', recipient: 'someone@example.com' }))).toBe(
				'mailNotSent',
			);
			const [row] = await invitationRows(other, s.id);
			expect(row).toMatchObject({ sentAt: null });
			expect(row!.sendError).toMatch(/ECONNECTION|ECONNREFUSED/);
			expect((await repView(other, ana, s.id)).invitations).toEqual([]);
			// The rep can still copy a link.
			const { link } = await (await ana.api()).invite.create({ sessionId: s.id, role: 'customer', via: 'link' });
			expect(link).toContain('?invite=');
		} finally {
			await other.close();
		}
	});

	it('revoked: the link is refused, to preview and to join, and the dialog no longer lists it', async () => {
		const ana = await w.rep('Ana7');
		const s = await (await ana.api()).session.start();
		const keep = await (await ana.api()).invite.create({ sessionId: s.id, role: 'customer', via: 'link' });
		const drop = await (await ana.api()).invite.create({ sessionId: s.id, role: 'rep', via: 'link' });
		await (await ana.api()).invite.revoke({ sessionId: s.id, invitationId: drop.invitation.id });
		expect((await repView(w, ana, s.id)).invitations.map((i) => i.id)).toEqual([keep.invitation.id]);

		const rep = await w.rep('Late');
		expect(await refusalOf((await rep.api()).session.assistByInvite({ token: tokenOf(drop.link) }))).toBe('invitationRevoked');
		expect(await refusalOf((await rep.api()).invite.preview({ token: tokenOf(drop.link), as: 'rep' }))).toBe('invitationRevoked');
		expect(await refusalOf((await ana.api()).invite.revoke({ sessionId: s.id, invitationId: drop.invitation.id }))).toBe(
			'invitationRevoked',
		);
		expect((await invitationRows(w, s.id)).find((r) => r.id === drop.invitation.id)?.revokedAt).not.toBeNull();
		expect(await eventTypes(w, s.id)).toEqual(['session.started', 'invitation.created', 'invitation.created', 'invitation.revoked']);
		// The other one still works.
		await (await w.browser().api()).session.joinByInvite({ token: tokenOf(keep.link), name: 'Kept' });
	});

	it('only the controlling rep invites and revokes', async () => {
		const ana = await w.rep('Ana8');
		const jelena = await w.rep('Jelena8');
		const stranger = await w.rep('Stranger');
		const s = await (await ana.api()).session.start();
		const customer = w.browser();
		await (await customer.api()).session.join({ number: s.number, name: 'Marko' });
		await (await jelena.api()).session.assist({ number: s.number });
		const made = await (await ana.api()).invite.create({ sessionId: s.id, role: 'customer', via: 'link' });
		const before = await eventTypes(w, s.id);

		expect(await refusalOf((await jelena.api()).invite.create({ sessionId: s.id, role: 'customer', via: 'link' }))).toBe('notController');
		expect(await refusalOf((await jelena.api()).invite.send({ sessionId: s.id, role: 'customer', recipient: 'x@example.com' }))).toBe(
			'notController',
		);
		expect(await refusalOf((await jelena.api()).invite.revoke({ sessionId: s.id, invitationId: made.invitation.id }))).toBe(
			'notController',
		);
		expect(await refusalOf((await stranger.api()).invite.create({ sessionId: s.id, role: 'rep', via: 'link' }))).toBe('notInSession');
		expect(await refusalOf((await customer.api()).invite.create({ sessionId: s.id, role: 'customer', via: 'link' }))).toBe('notSignedIn');
		expect(await refusalOf((await w.browser().api()).invite.revoke({ sessionId: s.id, invitationId: made.invitation.id }))).toBe(
			'notSignedIn',
		);
		expect(
			await refusalOf((await ana.api()).invite.revoke({ sessionId: s.id, invitationId: '00000000-0000-4000-8000-000000000000' })),
		).toBe('invitationNotFound');
		expect(await eventTypes(w, s.id)).toEqual(before);
		expect(smtp.received.filter((m) => m.to.includes('x@example.com'))).toEqual([]);
	});

	it('unknown and malformed tokens, and links of an ended session, are refused', async () => {
		const api = await w.browser().api();
		for (const token of ['', 'short', 'A'.repeat(43), '../../etc/passwd', 'x'.repeat(200)]) {
			expect(await refusalOf(api.session.joinByInvite({ token, name: 'X' }))).toBe('invitationNotFound');
			expect(await refusalOf(api.invite.preview({ token, as: 'customer' }))).toBe('invitationNotFound');
		}
		const ana = await w.rep('Ana9');
		const s = await (await ana.api()).session.start();
		const { link } = await (await ana.api()).invite.create({ sessionId: s.id, role: 'customer', via: 'link' });
		expect(await refusalOf(api.session.joinByInvite({ token: tokenOf(link), name: '  ' }))).toBe('invalidInput');
		await (await ana.api()).session.end({ sessionId: s.id });
		expect(await refusalOf(api.session.joinByInvite({ token: tokenOf(link), name: 'Late' }))).toBe('sessionEnded');
		expect(await refusalOf(api.invite.preview({ token: tokenOf(link), as: 'customer' }))).toBe('sessionEnded');
		expect(await refusalOf((await ana.api()).invite.create({ sessionId: s.id, role: 'customer', via: 'link' }))).toBe('sessionEnded');
	});

	it('with no SMTP server configured, mail is written to the outbox as .eml files', async () => {
		const other = await world(kind);
		try {
			const ana = await other.rep('Ana', { language: 'sr' });
			const s = await (await ana.api()).session.start();
			const status = await (await ana.api()).invite.mail();
			expect(status.transport).toBe('outbox');
			const sent = await (await ana.api()).invite.send({ sessionId: s.id, role: 'customer', recipient: 'mira@example.com' });
			expect(sent.transport).toBe('outbox');
			// The rep is told it went to the outbox, not where on the server that is.
			expect(JSON.stringify([status, sent])).not.toContain(other.services.mailer.outboxDir!);
			const files = readdirSync(other.services.mailer.outboxDir!);
			expect(files).toHaveLength(1);
			const parsed = await simpleParser(readFileSync(join(other.services.mailer.outboxDir!, files[0]!)));
			expect(parsed.to && 'text' in parsed.to ? parsed.to.text : '').toBe('mira@example.com');
			expect(parsed.subject).toBe(`Ana vas poziva u sesiju podrške ${s.numberFormatted}`);
			expect(parsed.text).toMatch(/http:\/\/127\.0\.0\.1:3000\/\?invite=[A-Za-z0-9_-]{43}/);
		} finally {
			await other.close();
		}
	});
});

describe.each(['pglite', 'postgres'] as const)('invitation expiry on %s', (kind) => {
	let w: World;
	const clock = new FakeClock(Date.now());
	beforeAll(async () => {
		w = await world(kind, { clock });
	});
	afterAll(() => w?.close());

	it('a link expires after the site’s invitation expiry (default 24 h, then as set)', async () => {
		const ana = await w.rep('Ana');
		const s = await (await ana.api()).session.start();
		const day = await (await ana.api()).invite.create({ sessionId: s.id, role: 'customer', via: 'link' });
		await (await w.admin.api()).admin.updateSettings({ invitationExpiryHours: 2 });
		const twoHours = await (await ana.api()).invite.create({ sessionId: s.id, role: 'rep', via: 'link' });
		expect(twoHours.invitation.expiresAt - twoHours.invitation.createdAt).toBe(2 * HOUR);
		await (await w.admin.api()).admin.updateSettings({ invitationExpiryHours: 24 });

		clock.advance(2 * HOUR); // the rep link's last moment has passed
		const rep = await w.rep('Late');
		expect(await refusalOf((await rep.api()).session.assistByInvite({ token: tokenOf(twoHours.link) }))).toBe('invitationExpired');
		expect(await refusalOf((await ana.api()).invite.revoke({ sessionId: s.id, invitationId: twoHours.invitation.id }))).toBe(
			'invitationExpired',
		);
		await (await w.browser().api()).invite.preview({ token: tokenOf(day.link), as: 'customer' });

		clock.advance(22 * HOUR + 1); // and the day link's
		const api = await w.browser().api();
		expect(await refusalOf(api.invite.preview({ token: tokenOf(day.link), as: 'customer' }))).toBe('invitationExpired');
		expect(await refusalOf(api.session.joinByInvite({ token: tokenOf(day.link), name: 'Late' }))).toBe('invitationExpired');
		expect((await w.services.sessions.state(s.id))!.participants).toHaveLength(1);
	});
});
