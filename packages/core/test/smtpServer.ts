// A real SMTP server for tests (smtp-server), on 127.0.0.1 and a free port: it receives what Tandem
// sends, parses it (mailparser), and can refuse recipients like a real server does.

import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
	/** The envelope's recipients (RCPT TO). */
	to: string[];
	raw: Buffer;
	parsed: ParsedMail;
}

export interface TestSmtpServer {
	url: string;
	port: number;
	received: ReceivedMail[];
	/** Refuse every recipient with this reply (a 5xx like a real server), or accept again with null. */
	refuseWith(reply: { code: number; message: string } | null): void;
	/** The first message to `address`, compared without case (waits for it). */
	mailTo(address: string, timeoutMs?: number): Promise<ReceivedMail>;
	close(): Promise<void>;
}

export interface SmtpServerOptions {
	onMail?: (mail: ReceivedMail) => void;
	/** A reply refusing this recipient (e.g. 550), or null to accept it. */
	refuse?: (address: string) => { code: number; message: string } | null;
}

export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<TestSmtpServer> {
	const received: ReceivedMail[] = [];
	let refusal: { code: number; message: string } | null = null;
	const server = new SMTPServer({
		authOptional: true,
		// Plain SMTP on loopback: no self-signed STARTTLS for the client to reject.
		disabledCommands: ['AUTH', 'STARTTLS'],
		logger: false,
		onRcptTo(address, _session, callback) {
			const reply = refusal ?? options.refuse?.(address.address) ?? null;
			if (!reply) return callback();
			const error = Object.assign(new Error(reply.message), { responseCode: reply.code });
			callback(error);
		},
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (c: Buffer) => chunks.push(c));
			stream.on('end', () => {
				const raw = Buffer.concat(chunks);
				simpleParser(raw).then(
					(parsed) => {
						const mail = { to: session.envelope.rcptTo.map((r) => r.address), raw, parsed };
						received.push(mail);
						options.onMail?.(mail);
						callback();
					},
					(error: Error) => callback(error),
				);
			});
		},
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const { port } = server.server.address() as AddressInfo;
	return {
		url: `smtp://127.0.0.1:${port}`,
		port,
		received,
		refuseWith: (reply) => (refusal = reply),
		async mailTo(address, timeoutMs = 10_000) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				// Domains are case-insensitive (and some clients lower-case them).
				const mail = received.find((m) => m.to.some((to) => to.toLowerCase() === address.toLowerCase()));
				if (mail) return mail;
				if (Date.now() > deadline) throw new Error(`no mail to ${address} in ${timeoutMs} ms`);
				await new Promise((r) => setTimeout(r, 50));
			}
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
