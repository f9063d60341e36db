// The services one Tandem node runs, wired to one database and one bus.

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@tandem/db';
import { RepAccounts, type LockoutPolicy } from './auth/repAccounts.ts';
import { Bus } from './feed/bus.ts';
import { followSessionEvents } from './media/mediaEffects.ts';
import type { MediaPort } from './media/mediaPort.ts';
import { createMailer, type MailConfig, type Mailer } from './mail/mailer.ts';
import { ConsoleLifeline } from './service/consoleLifeline.ts';
import { Invitations } from './service/invitations.ts';
import { NumberGuessLimiter, type NumberGuessPolicy } from './service/numberGuessLimiter.ts';
import { Recordings } from './recordings/recordings.ts';
import { SessionService } from './service/sessionService.ts';

export interface ServicesConfig {
	publicUrl: string;
	auditKey: Buffer;
	lockout?: LockoutPolicy;
	/** Wrong session numbers per client (SPEC §11); the defaults when absent. */
	numberGuesses?: NumberGuessPolicy;
	/** Take the client's address from X-Forwarded-For (behind a reverse proxy only). */
	trustProxy?: boolean;
	/** Test overrides of the console lifeline's timings. */
	lifeline?: { goodbyeMs?: number; gracePeriodMs?: () => Promise<number>; heartbeatTimeoutMs?: number };
	/** Tandem's own e-mail (invitations): SMTP, or an outbox folder (a temporary one when absent). */
	mail?: MailConfig;
	/** The clock of the session rules (invitation expiry); the system clock when absent. */
	now?: () => number;
	/** Where recordings are (the media server's folder); a temporary folder when absent. */
	recordingsDir?: string;
	/** The ffmpeg that makes exports ('ffmpeg' from PATH when absent). */
	ffmpegPath?: string;
}

export interface Services {
	db: Database;
	config: ServicesConfig;
	bus: Bus;
	reps: RepAccounts;
	sessions: SessionService;
	lifeline: ConsoleLifeline;
	mailer: Mailer;
	invitations: Invitations;
	/** Who typed how many wrong session numbers (in memory, per node). */
	numberGuesses: NumberGuessLimiter;
	/** The media plane; null when no SFU is configured (media calls are then refused). */
	media: MediaPort | null;
	/** Recordings on disk: listing, control timeline, Export, and who may read their files. */
	recordings: Recordings;
	close(): void;
}

export function createServices(
	db: Database,
	dbKind: 'pglite' | 'postgres',
	config: ServicesConfig,
	media: MediaPort | null = null,
): Services {
	const bus = new Bus();
	const sessions = new SessionService({ db, dbKind, auditKey: config.auditKey, bus, ...(config.now ? { now: config.now } : {}) });
	const mailer = createMailer(config.mail ?? { from: 'Tandem <tandem@localhost>', outboxDir: join(tmpdir(), 'tandem-outbox') });
	const lifeline = new ConsoleLifeline({ db, sessions, ...config.lifeline });
	sessions.microphoneOf = (repId) => lifeline.hasMicrophone(repId);
	const stopFollowing = media ? followSessionEvents(bus, media, sessions) : () => {};
	const recordings = new Recordings({
		db,
		recordingsDir: config.recordingsDir ?? join(tmpdir(), 'tandem-recordings'),
		...(config.ffmpegPath ? { ffmpegPath: config.ffmpegPath } : {}),
	});
	return {
		db,
		config,
		bus,
		reps: new RepAccounts(db, config.lockout),
		sessions,
		lifeline,
		mailer,
		invitations: new Invitations({ db, sessions, mailer, publicUrl: config.publicUrl }),
		numberGuesses: new NumberGuessLimiter(config.numberGuesses),
		media,
		recordings,
		close() {
			stopFollowing();
			recordings.close();
			lifeline.close();
			media?.close();
			mailer.close();
		},
	};
}
