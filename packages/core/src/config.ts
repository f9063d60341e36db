// Configuration from the environment, validated once at start with a clear message for each mistake.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import type { MailConfig } from './mail/mailer.ts';
import type { NumberGuessPolicy } from './service/numberGuessLimiter.ts';
import type { Clock } from './time/clock.ts';

export interface TandemConfig {
	databaseUrl?: string | undefined;
	dataDir: string;
	publicUrl: string;
	auditKey: Buffer;
	/** Where the audit's signed checkpoints and last verification are written: outside the database's folder. */
	auditDir: string;
	/** How often a checkpoint of the chains' heads is written (ms). */
	auditCheckpointMs: number;
	lockout: { freeAttempts: number; baseLockSeconds: number };
	/** A console silent this long has lost its connection (SPEC §2). */
	consoleSilenceMs: number;
	/** Wrong session numbers per client (SPEC §11). */
	numberGuesses: NumberGuessPolicy;
	/** Take the client's address from X-Forwarded-For (only behind a reverse proxy that sets it). */
	trustProxy: boolean;
	/** The media server's control API; without it, media is unavailable. */
	sfu?: { url: string; secret: string } | undefined;
	/** Tandem's own e-mail: SMTP when TANDEM_SMTP_URL is set, else .eml files in <data>/outbox. */
	mail: MailConfig;
	/** Where the media server writes recordings (one folder each) and Export writes its composite. */
	recordingsDir: string;
	/** Where transferred files are stored (SPEC §9): `<data dir>/files`. */
	filesDir: string;
	/** The ffmpeg that makes exports. */
	ffmpegPath: string;
	/** Browser tests move the clock of the rules and deadlines (expiry, the lifeline); otherwise absent. */
	clock?: Clock | undefined;
	/** Browser tests only: the file that moves `clock`; each move makes the server act on the new time at once. */
	testClockFile?: string | undefined;
	/** This node's name, stable across restarts: presence rows and leases carry it. */
	nodeId: string;
	/** Tests only: while it answers true, effects wait (so a crash can fall between a commit and its effect). */
	effectsPaused?: (() => boolean) | undefined;
	/**
	 * Outbound webhooks: whether private, loopback and link-local addresses may be used (off by default), and
	 * the server's own origins besides its public URL (where it listens, its media server), always refused.
	 */
	webhooks: { allowPrivateAddresses: boolean; ownOrigins: string[] };
}

/** `Name <address>` or a bare address, with a valid address. */
const mailbox = z.string().refine((v) => {
	const address = /^[^<>]*<([^<>\s]+)>\s*$/.exec(v)?.[1] ?? v.trim();
	return z.email().safeParse(address).success;
}, 'must be an e-mail address, or Name <address>');

const envSchema = z
	.object({
		DATABASE_URL: z
			.string()
			.regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
			.optional(),
		TANDEM_DATA_DIR: z.string().min(1).default('data'),
		TANDEM_PUBLIC_URL: z.url().default('http://127.0.0.1:3000'),
		TANDEM_AUDIT_KEY: z.string().min(32, 'at least 32 characters').optional(),
		TANDEM_AUDIT_DIR: z.string().min(1).optional(),
		TANDEM_AUDIT_CHECKPOINT_SECONDS: z.coerce.number().int().min(1).max(3_600).default(10),
		TANDEM_SFU_URL: z.url().optional(),
		TANDEM_SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
		TANDEM_MAIL_FROM: mailbox.optional(),
		TANDEM_TEST_CLOCK_FILE: z.string().min(1).optional(),
		TANDEM_TEST_PAUSE_EFFECTS_FILE: z.string().min(1).optional(),
		TANDEM_NODE_ID: z
			.string()
			.regex(/^[\w.:-]{1,100}$/, 'letters, digits and _ . : - (at most 100)')
			.optional(),
		PORT: z.string().optional(),
		HOST: z.string().min(1).optional(),
		TANDEM_SFU_SECRET: z.string().min(16, 'at least 16 characters').optional(),
		TANDEM_RECORDINGS_DIR: z.string().min(1).optional(),
		TANDEM_FFMPEG: z.string().min(1).default('ffmpeg'),
		TANDEM_LOGIN_FREE_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
		TANDEM_LOGIN_LOCK_SECONDS: z.coerce.number().int().min(1).max(86_400).default(30),
		/** A console silent this long (no heartbeat) has lost its connection. Browsers throttle a hidden tab's timers to once a minute, so the default stays above that. */
		TANDEM_CONSOLE_SILENCE_SECONDS: z.coerce.number().int().min(3).max(3_600).default(20),
		TANDEM_NUMBER_FREE_ATTEMPTS: z.coerce.number().int().min(0).max(1_000_000).default(5),
		TANDEM_NUMBER_BACKOFF_BASE_MS: z.coerce.number().int().min(1).max(86_400_000).default(1_000),
		TANDEM_NUMBER_BACKOFF_MAX_MS: z.coerce
			.number()
			.int()
			.min(1)
			.max(7 * 86_400_000)
			.default(3_600_000),
		TANDEM_NUMBER_FORGET_HOURS: z.coerce
			.number()
			.int()
			.min(1)
			.max(24 * 365)
			.default(24),
		TANDEM_TRUST_PROXY: z
			.enum(['true', 'false', '1', '0', 'yes', 'no'], 'must be true or false')
			.transform((v) => v === 'true' || v === '1' || v === 'yes')
			.default(false),
		TANDEM_WEBHOOKS_ALLOW_PRIVATE: z
			.enum(['true', 'false', '1', '0', 'yes', 'no'], 'must be true or false')
			.transform((v) => v === 'true' || v === '1' || v === 'yes')
			.default(false),
	})
	.refine((e) => e.TANDEM_NUMBER_BACKOFF_MAX_MS >= e.TANDEM_NUMBER_BACKOFF_BASE_MS, {
		path: ['TANDEM_NUMBER_BACKOFF_MAX_MS'],
		message: 'must be at least TANDEM_NUMBER_BACKOFF_BASE_MS',
	});

export function loadConfig(env: Record<string, string | undefined>): TandemConfig {
	const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')));
	if (!parsed.success) {
		const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
		throw new Error(`Tandem configuration is invalid:\n${lines.join('\n')}`);
	}
	const e = parsed.data;
	const dataDir = resolve(e.TANDEM_DATA_DIR);
	// Beside the key file by default; never inside PGlite's folder (nor the database's folder at all).
	const auditDir = resolve(e.TANDEM_AUDIT_DIR ?? join(dataDir, 'audit'));
	const fromDatabase = relative(join(dataDir, 'pglite'), auditDir);
	if (!e.DATABASE_URL && !fromDatabase.startsWith('..') && !isAbsolute(fromDatabase)) {
		throw new Error(
			`Tandem configuration is invalid:\n  TANDEM_AUDIT_DIR: must not be inside the database's folder (${join(dataDir, 'pglite')})`,
		);
	}
	return {
		databaseUrl: e.DATABASE_URL,
		dataDir,
		publicUrl: e.TANDEM_PUBLIC_URL.replace(/\/$/, ''),
		auditKey: e.TANDEM_AUDIT_KEY ? Buffer.from(e.TANDEM_AUDIT_KEY) : auditKeyFile(dataDir),
		auditDir,
		auditCheckpointMs: e.TANDEM_AUDIT_CHECKPOINT_SECONDS * 1000,
		lockout: { freeAttempts: e.TANDEM_LOGIN_FREE_ATTEMPTS, baseLockSeconds: e.TANDEM_LOGIN_LOCK_SECONDS },
		numberGuesses: {
			freeAttempts: e.TANDEM_NUMBER_FREE_ATTEMPTS,
			backoffBaseMs: e.TANDEM_NUMBER_BACKOFF_BASE_MS,
			backoffMaxMs: e.TANDEM_NUMBER_BACKOFF_MAX_MS,
			forgetAfterMs: e.TANDEM_NUMBER_FORGET_HOURS * 3_600_000,
		},
		trustProxy: e.TANDEM_TRUST_PROXY,
		consoleSilenceMs: e.TANDEM_CONSOLE_SILENCE_SECONDS * 1000,
		sfu: e.TANDEM_SFU_URL && e.TANDEM_SFU_SECRET ? { url: e.TANDEM_SFU_URL, secret: e.TANDEM_SFU_SECRET } : undefined,
		mail: {
			smtpUrl: e.TANDEM_SMTP_URL,
			from: e.TANDEM_MAIL_FROM ?? `Tandem <tandem@${mailDomain(e.TANDEM_PUBLIC_URL)}>`,
			outboxDir: join(dataDir, 'outbox'),
		},
		recordingsDir: resolve(e.TANDEM_RECORDINGS_DIR ?? join(dataDir, 'recordings')),
		filesDir: join(dataDir, 'files'),
		ffmpegPath: e.TANDEM_FFMPEG,
		clock: e.TANDEM_TEST_CLOCK_FILE ? clockFromFile(e.TANDEM_TEST_CLOCK_FILE) : undefined,
		testClockFile: e.TANDEM_TEST_CLOCK_FILE,
		nodeId: e.TANDEM_NODE_ID ?? `${hostname()}:${e.PORT ?? '3000'}`,
		effectsPaused: e.TANDEM_TEST_PAUSE_EFFECTS_FILE ? pausedWhileExists(e.TANDEM_TEST_PAUSE_EFFECTS_FILE) : undefined,
		webhooks: {
			allowPrivateAddresses: e.TANDEM_WEBHOOKS_ALLOW_PRIVATE,
			ownOrigins: [listenOrigin(e.HOST ?? '127.0.0.1', e.PORT ?? '3000'), ...(e.TANDEM_SFU_URL ? [e.TANDEM_SFU_URL] : [])],
		},
	};
}

/** Where the server listens, as an origin (an IPv6 address in brackets). */
function listenOrigin(host: string, port: string): string {
	return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

/** The site's host name when it is a domain name (not an address or a bare host), else localhost. */
function mailDomain(publicUrl: string): string {
	const host = new URL(publicUrl).hostname;
	return host.includes('.') && !/^[\d.]+$/.test(host) && !host.includes(':') ? host : 'localhost';
}

/** For browser tests only: the system clock moved by the milliseconds written in a file (none: 0). */
function clockFromFile(file: string): Clock {
	// The last offset read stands when the file is caught mid-write (empty): reading that as 0 would throw
	// the clock back to the system's and make a deadline set then fall due at once.
	let offset = 0;
	return {
		now() {
			try {
				const text = readFileSync(file, 'utf8').trim();
				const read = Number(text);
				if (text !== '' && Number.isFinite(read)) offset = read;
			} catch {
				/* no file: the last offset */
			}
			return Date.now() + offset;
		},
	};
}

/** For browser tests only: effects wait while this file exists. */
function pausedWhileExists(file: string): () => boolean {
	return () => existsSync(file);
}

/** Without TANDEM_AUDIT_KEY, a key file beside the data (outside the database) is made once. */
function auditKeyFile(dataDir: string): Buffer {
	const file = join(dataDir, 'audit.key');
	if (!existsSync(file)) {
		mkdirSync(dataDir, { recursive: true });
		writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
	}
	return Buffer.from(readFileSync(file, 'utf8').trim());
}
