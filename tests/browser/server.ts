// Global setup of the browser suite: the built product, as `npm start` runs it (PGlite in a fresh data
// directory), on a free port. Tests reach it at inject('baseUrl').
// Every browser here comes from 127.0.0.1, so this server gets generous wrong-number limits; a test about
// the limits starts its own server with `startServer(env)`.
// Its e-mail goes to a real SMTP server started here, which files each message it receives as an .eml
// in `mailDir` (tests read them); `clockFile` moves the server's clock of the session rules (expiry).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startSmtpServer } from '../../packages/core/test/smtpServer.ts';

declare module 'vitest' {
	export interface ProvidedContext {
		baseUrl: string;
		/** The server's TANDEM_DATA_DIR (recordings are under `recordings/`). */
		dataDir: string;
		/** Every mail the site sent, one .eml file each (named by arrival). */
		mailDir: string;
		/** Milliseconds written here move the site's clock of the session rules forward. */
		clockFile: string;
	}
}

export const freePort = () =>
	new Promise<number>((resolve, reject) => {
		const s = createServer();
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address() as { port: number };
			s.close(() => resolve(port));
		});
		s.on('error', reject);
	});

export interface RunningServer {
	baseUrl: string;
	port: number;
	dataDir: string;
	/** The server's process (a test about crashes kills it). */
	process: ChildProcess;
	/** What it printed so far. */
	output(): string;
	/** Stops the server and removes its data (unless it was started with `keepData`). */
	stop(): Promise<void>;
}

export interface ServerOptions {
	/** Run on this port rather than a free one (a restart of a server that was killed). */
	port?: number;
	/** Use this data directory rather than a fresh one. */
	dataDir?: string;
	/** Leave the data directory when stopping (the next start reads it). */
	keepData?: boolean;
	/** Listen on this address rather than 127.0.0.1 (a network test's host end). */
	host?: string;
}

/** Limits for tests that are not about them: all browsers share one address. */
export const GENEROUS_LIMITS = {
	// Tests drop a console's connection on purpose: notice its silence sooner than production does.
	TANDEM_CONSOLE_SILENCE_SECONDS: '8',
	TANDEM_NUMBER_FREE_ATTEMPTS: '1000000',
	TANDEM_NUMBER_BACKOFF_BASE_MS: '1',
	TANDEM_NUMBER_BACKOFF_MAX_MS: '1',
};

/** The built product on a free port with a fresh data directory; `env` adds to (or overrides) its environment. */
export async function startServer(env: Record<string, string> = {}, options: ServerOptions = {}): Promise<RunningServer> {
	const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tandem-browser-'));
	const port = options.port ?? (await freePort());
	const host = options.host ?? '127.0.0.1';
	const baseUrl = `http://${host}:${port}`;
	const server: ChildProcess = spawn(process.execPath, ['apps/console/server.js'], {
		env: {
			...process.env,
			PORT: String(port),
			HOST: host,
			TANDEM_DATA_DIR: dataDir,
			TANDEM_PUBLIC_URL: baseUrl,
			...env,
		},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	server.stdout?.on('data', (d) => (output += d));
	server.stderr?.on('data', (d) => (output += d));
	const stop = async () => {
		if (server.exitCode === null) {
			server.kill('SIGTERM');
			await new Promise((r) => (server.exitCode !== null ? r(null) : server.once('exit', r)));
		}
		if (process.env.TANDEM_TEST_SERVER_LOG) console.log(output);
		if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
	};
	const deadline = Date.now() + 60_000;
	for (;;) {
		if (server.exitCode !== null) {
			await stop();
			throw new Error(`the server exited (${server.exitCode}):\n${output}`);
		}
		try {
			const res = await fetch(`${baseUrl}/console/api/trpc/auth.status`);
			if (res.ok) break;
		} catch {
			/* not up yet */
		}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`the server did not come up in 60 s:\n${output}`);
		}
		await new Promise((r) => setTimeout(r, 200));
	}
	return { baseUrl, port, dataDir, process: server, output: () => output, stop };
}

export default async function setup(project: TestProject) {
	const scratch = mkdtempSync(join(tmpdir(), 'tandem-browser-mail-'));
	const mailDir = join(scratch, 'inbox');
	const clockFile = join(scratch, 'clock');
	mkdirSync(mailDir);
	writeFileSync(clockFile, '0');
	let received = 0;
	const smtp = await startSmtpServer({
		onMail: (mail) => writeFileSync(join(mailDir, `${String(++received).padStart(4, '0')}.eml`), mail.raw),
		// Like a real server that knows no such mailbox: addresses starting with "nobody." are refused.
		refuse: (address) => (address.startsWith('nobody.') ? { code: 550, message: 'No such user here' } : null),
	});
	const server = await startServer({
		...GENEROUS_LIMITS,
		TANDEM_SMTP_URL: smtp.url,
		TANDEM_MAIL_FROM: 'Tandem Support <support@example.com>',
		TANDEM_TEST_CLOCK_FILE: clockFile,
	});
	project.provide('baseUrl', server.baseUrl);
	project.provide('dataDir', server.dataDir);
	project.provide('mailDir', mailDir);
	project.provide('clockFile', clockFile);
	return async () => {
		await server.stop();
		await smtp.close();
		rmSync(scratch, { recursive: true, force: true });
	};
}
