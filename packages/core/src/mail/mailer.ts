// The mail port (ARCHITECTURE §5): Tandem's own e-mail goes out over SMTP (nodemailer); with no SMTP
// server configured, each message is written as an .eml file into the outbox folder instead, so that
// nothing is lost and an administrator can see what would have been sent.

import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

export interface MailConfig {
	/** smtp://user:pass@host:587 or smtps://host:465; absent: the outbox. */
	smtpUrl?: string | undefined;
	/** The From of Tandem's mail, e.g. `Tandem Support <support@example.com>`. */
	from: string;
	/** Where mail goes without SMTP: one .eml file per message. */
	outboxDir: string;
	/** Longest wait for the SMTP server at each step (connect, greeting, each reply). */
	timeoutMs?: number;
}

export interface OutgoingMail {
	to: string;
	subject: string;
	text: string;
	language: 'en' | 'sr';
}

export interface Mailer {
	readonly transport: 'smtp' | 'outbox';
	/** The outbox folder, when mail goes there. */
	readonly outboxDir: string | null;
	/** Resolves once the SMTP server accepted the message (or the file is written); rejects with a MailError. */
	send(mail: OutgoingMail): Promise<{ file: string | null }>;
	close(): void;
}

/** The SMTP server refused the message or could not be reached. */
export class MailError extends Error {
	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'MailError';
	}
}

export function createMailer(config: MailConfig): Mailer {
	return config.smtpUrl ? smtpMailer(config, config.smtpUrl) : outboxMailer(config);
}

function message(config: MailConfig, mail: OutgoingMail) {
	return {
		from: config.from,
		to: mail.to,
		subject: mail.subject,
		text: mail.text,
		headers: { 'Content-Language': mail.language },
	};
}

function smtpMailer(config: MailConfig, url: string): Mailer {
	const timeout = config.timeoutMs ?? 15_000;
	const transporter = nodemailer.createTransport({
		url,
		connectionTimeout: timeout,
		greetingTimeout: timeout,
		socketTimeout: timeout,
	});
	return {
		transport: 'smtp',
		outboxDir: null,
		async send(mail) {
			try {
				const info = await transporter.sendMail(message(config, mail));
				// A server that accepts some recipients and not others: ours is one recipient, so any refusal counts.
				if (info.rejected.length > 0) throw new MailError(`recipient refused: ${info.response}`);
				return { file: null };
			} catch (error) {
				if (error instanceof MailError) throw error;
				throw new MailError(describeSmtpError(error), { cause: error });
			}
		},
		close: () => transporter.close(),
	};
}

function outboxMailer(config: MailConfig): Mailer {
	const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
	return {
		transport: 'outbox',
		outboxDir: config.outboxDir,
		async send(mail) {
			try {
				const info = await transporter.sendMail(message(config, mail));
				await mkdir(config.outboxDir, { recursive: true });
				const file = join(config.outboxDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.eml`);
				await writeFile(file, info.message as Buffer, { mode: 0o600 });
				return { file };
			} catch (error) {
				throw new MailError(error instanceof Error ? error.message : String(error), { cause: error });
			}
		},
		close: () => transporter.close(),
	};
}

/** A short reason from nodemailer's error: the server's reply when there was one, else what failed. */
function describeSmtpError(error: unknown): string {
	if (!(error instanceof Error)) return String(error);
	const e = error as Error & { code?: string; response?: string; responseCode?: number };
	const reply = e.response?.trim();
	return [e.code, reply || e.message].filter(Boolean).join(': ').slice(0, 500);
}
