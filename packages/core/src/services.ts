// The services one Tandem node runs, wired to one database and one bus.

import type { Database } from '@tandem/db';
import { RepAccounts, type LockoutPolicy } from './auth/repAccounts.ts';
import { Bus } from './feed/bus.ts';
import { followSessionEvents } from './media/mediaEffects.ts';
import type { MediaPort } from './media/mediaPort.ts';
import { ConsoleLifeline } from './service/consoleLifeline.ts';
import { SessionService } from './service/sessionService.ts';

export interface ServicesConfig {
	publicUrl: string;
	auditKey: Buffer;
	lockout?: LockoutPolicy;
	/** Test overrides of the console lifeline's timings. */
	lifeline?: { goodbyeMs?: number; gracePeriodMs?: () => Promise<number> };
}

export interface Services {
	db: Database;
	config: ServicesConfig;
	bus: Bus;
	reps: RepAccounts;
	sessions: SessionService;
	lifeline: ConsoleLifeline;
	/** The media plane; null when no SFU is configured (media calls are then refused). */
	media: MediaPort | null;
	close(): void;
}

export function createServices(db: Database, dbKind: 'pglite' | 'postgres', config: ServicesConfig, media: MediaPort | null = null): Services {
	const bus = new Bus();
	const sessions = new SessionService({ db, dbKind, auditKey: config.auditKey, bus });
	const lifeline = new ConsoleLifeline({ db, sessions, ...config.lifeline });
	const stopFollowing = media ? followSessionEvents(bus, media, sessions) : () => {};
	return {
		db,
		config,
		bus,
		reps: new RepAccounts(db, config.lockout),
		sessions,
		lifeline,
		media,
		close() {
			stopFollowing();
			lifeline.close();
			media?.close();
		},
	};
}
