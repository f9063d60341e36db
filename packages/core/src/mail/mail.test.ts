// Tandem's e-mail: its configuration, the invitation's words in both languages, the mailto link, and
// the outbox used when no SMTP server is configured.

import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { invitationMail, mailtoHref } from './invitationMail.ts';
import { createMailer } from './mailer.ts';

const base = { TANDEM_AUDIT_KEY: 'k'.repeat(32), TANDEM_DATA_DIR: '/tmp/tandem-config-test' };

describe('mail configuration', () => {
	it('defaults to the outbox under the data folder, from tandem@ the site’s domain', () => {
		expect(loadConfig(base).mail).toEqual({
			smtpUrl: undefined,
			from: 'Tandem <tandem@localhost>',
			outboxDir: '/tmp/tandem-config-test/outbox',
		});
		expect(loadConfig({ ...base, TANDEM_PUBLIC_URL: 'https://support.example.com' }).mail.from).toBe('Tandem <tandem@support.example.com>');
	});

	it('reads TANDEM_SMTP_URL and TANDEM_MAIL_FROM', () => {
		const mail = loadConfig({
			...base,
			TANDEM_SMTP_URL: 'smtps://user:secret@mail.example.com:465',
			TANDEM_MAIL_FROM: 'Support <help@example.com>',
		}).mail;
		expect(mail).toMatchObject({ smtpUrl: 'smtps://user:secret@mail.example.com:465', from: 'Support <help@example.com>' });
		expect(loadConfig({ ...base, TANDEM_SMTP_URL: 'smtp://127.0.0.1:2525', TANDEM_MAIL_FROM: 'help@example.com' }).mail.from).toBe(
			'help@example.com',
		);
	});

	it('names each mistake', () => {
		expect(() => loadConfig({ ...base, TANDEM_SMTP_URL: 'http://mail.example.com' })).toThrow(
			/TANDEM_SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/,
		);
		expect(() => loadConfig({ ...base, TANDEM_SMTP_URL: 'mail.example.com:25' })).toThrow(/TANDEM_SMTP_URL/);
		expect(() => loadConfig({ ...base, TANDEM_MAIL_FROM: 'Support' })).toThrow(
			/TANDEM_MAIL_FROM: must be an e-mail address, or Name <address>/,
		);
		expect(() => loadConfig({ ...base, TANDEM_MAIL_FROM: 'Support <not an address>' })).toThrow(/TANDEM_MAIL_FROM/);
	});
});

describe('the words of an invitation', () => {
	const words = {
		repName: 'Ana',
		number: '123 456 789',
		link: 'https://s.example.com/?invite=T',
		site: 'https://s.example.com/',
		expiresAt: Date.UTC(2026, 10, 25, 9, 30),
	};

	it('name the rep, the grouped number and the link, in English and in Serbian', () => {
		const en = invitationMail({ ...words, role: 'customer', language: 'en' });
		expect(en.subject).toBe('Ana invites you to support session 123 456 789');
		expect(en.body).toContain('Ana from Support invites you to support session 123 456 789.');
		expect(en.body).toContain('\nhttps://s.example.com/?invite=T\n');
		expect(en.body).toContain('Or open https://s.example.com/, choose Join and type the session number 123 456 789.');
		expect(en.body).toMatch(/The link works until 25 November 2026/);

		const sr = invitationMail({ ...words, role: 'rep', language: 'sr' });
		expect(sr.subject).toBe('Ana vas poziva da asistirate u sesiji podrške 123 456 789');
		expect(sr.body).toContain('Obezbedi podršku › Sesija asistencije');
		expect(sr.body).toContain('https://s.example.com/?invite=T');
		expect(sr.body).toMatch(/Veza važi do 25\. novembar 2026/);
	});

	it('make a mailto with recipient, subject and body (line breaks as CRLF)', () => {
		const href = mailtoHref('ana+test@example.com', 'Subject & more', 'Line 1\nLine 2 ?=&');
		expect(href).toBe('mailto:ana%2Btest@example.com?subject=Subject%20%26%20more&body=Line%201%0D%0ALine%202%20%3F%3D%26');
		const url = new URL(href);
		expect(decodeURIComponent(url.pathname)).toBe('ana+test@example.com');
		expect(url.searchParams.get('body')).toBe('Line 1\r\nLine 2 ?=&');
		expect(mailtoHref(null, 's', 'b')).toBe('mailto:?subject=s&body=b');
	});
});

describe('the outbox', () => {
	it('writes each message as an .eml file when no SMTP server is configured', async () => {
		const outboxDir = join(mkdtempSync(join(tmpdir(), 'tandem-outbox-test-')), 'outbox');
		const mailer = createMailer({ from: 'Tandem <t@example.com>', outboxDir });
		expect(mailer).toMatchObject({ transport: 'outbox', outboxDir });
		const { file } = await mailer.send({
			to: 'vesna@example.com',
			subject: 'Poziv – sesija 123 456 789',
			text: 'Zdravo, Vesna!',
			language: 'sr',
		});
		expect(readdirSync(outboxDir)).toHaveLength(1);
		expect(file).toMatch(/\.eml$/);
		const eml = readFileSync(file!, 'utf8');
		expect(eml).toMatch(/^To: vesna@example\.com$/m);
		expect(eml).toMatch(/^Content-Language: sr$/m);
		expect(eml).toMatch(/^Subject: =\?UTF-8\?/m);
		mailer.close();
	});
});
