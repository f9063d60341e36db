// The services one Tandem node runs, wired to one database and one bus. Several nodes may share the
// database: presence and timers are rows any node acts on, and each effect runs on the node holding its
// lease.

import { Annotations } from './annotation/annotations.ts';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@tandem/db';
import { CommandRunner } from './aggregate/runner.ts';
import { RepAccounts, type AdminRecord, type LockoutPolicy } from './auth/repAccounts.ts';
import { appendToLog } from './log/eventLog.ts';
import { AuditService } from './audit/auditService.ts';
import { Acd } from './service/acd.ts';
import { followSessionsForAcd } from './service/acdFollower.ts';
import { AcdRouter } from './service/acdRouter.ts';
import { EffectConsumer } from './effects/effectConsumer.ts';
import { Lease } from './effects/lease.ts';
import { Bus } from './feed/bus.ts';
import { FileTransfers } from './files/fileTransfers.ts';
import { FilesEffect } from './files/filesEffect.ts';
import { followMediaPlane, MediaEffect } from './media/mediaEffects.ts';
import type { MediaPort } from './media/mediaPort.ts';
import { SessionMediaService } from './media/mediaService.ts';
import { Chat } from './chat/chat.ts';
import { createMailer, type MailConfig, type Mailer } from './mail/mailer.ts';
import { ConsoleLifeline } from './service/consoleLifeline.ts';
import { Invitations } from './service/invitations.ts';
import { NumberGuessLimiter, type NumberGuessPolicy } from './service/numberGuessLimiter.ts';
import { RateLimiter, type RatePolicy } from './service/rateLimiter.ts';
import { Recordings } from './recordings/recordings.ts';
import { Reports } from './reports/reports.ts';
import { SessionService } from './service/sessionService.ts';
import type { SessionNumber } from './session/sessionNumber.ts';
import { systemClock, type Clock } from './time/clock.ts';
import { Timers } from './timers/timers.ts';
import { WebhookDelivery } from './webhooks/webhookDelivery.ts';
import { Webhooks } from './webhooks/webhooks.ts';

export interface ServicesConfig {
	publicUrl: string;
	auditKey: Buffer;
	/** This node's name, stable across its restarts (presence rows and leases carry it). */
	nodeId?: string;
	lockout?: LockoutPolicy;
	/** Wrong session numbers per client (SPEC §11); the defaults when absent. */
	numberGuesses?: NumberGuessPolicy;
	/** Take the client's address from X-Forwarded-For (behind a reverse proxy only). */
	trustProxy?: boolean;
	/** Test overrides of the console lifeline's timings. */
	lifeline?: { goodbyeMs?: number; gracePeriodMs?: () => Promise<number>; heartbeatTimeoutMs?: number };
	/** Tandem's own e-mail (invitations): SMTP, or an outbox folder (a temporary one when absent). */
	mail?: MailConfig;
	/** The clock of every rule and deadline; the system clock when absent. */
	clock?: Clock;
	/** Where recordings are (the media server's folder); a temporary folder when absent. */
	recordingsDir?: string;
	/** Where transferred files are stored (`<data dir>/files`); a temporary folder when absent. */
	filesDir?: string;
	/** The ffmpeg that makes exports ('ffmpeg' from PATH when absent). */
	ffmpegPath?: string;
	/** Tests only: which session numbers are drawn (random when absent). */
	drawSessionNumber?: () => SessionNumber;
	/** Tests with a fake clock: no polling for due timers or silent consoles; the test fires them. */
	timeByHand?: boolean;
	/** Media calls per participant (every one reaches the media server); the defaults when absent. */
	mediaRate?: RatePolicy;
	/** Get help requests per client; the defaults when absent. */
	helpRate?: RatePolicy;
	/** Chat lines per writer in a session. */
	chatRate?: RatePolicy;
	/** Tests only: while it answers true the effects wait, so that a crash can come between a commit and its effect. */
	effectsPaused?: (() => boolean) | undefined;
	/** The audit's checkpoints: their folder (outside the database's) and interval; none: no checkpoints. */
	audit?: { dir?: string | undefined; checkpointMs?: number | undefined };
	/**
	 * Outbound webhooks: whether private addresses may be used (closed networks; tests), and the server's own
	 * origins besides its public URL (where it listens, its media server): never a webhook's address.
	 */
	webhooks?: { allowPrivateAddresses?: boolean; ownOrigins?: readonly string[] };
}

export interface Services {
	db: Database;
	config: ServicesConfig;
	nodeId: string;
	clock: Clock;
	bus: Bus;
	reps: RepAccounts;
	/** WebACD: queues, agents (SPEC §7, §8). */
	acd: Acd;
	/** WebACD's routing (offers, their expiry, the lines). */
	router: AcdRouter;
	/** Get help requests per client (each makes a session). */
	helpRequests: RateLimiter;
	/** Writes an administrator's change to the log (accounts, settings). */
	recordAdminChange: AdminRecord;
	sessions: SessionService;
	lifeline: ConsoleLifeline;
	timers: Timers;
	/** The durable consumers of the event log this node may run (each on the node holding its lease). */
	effects: EffectConsumer[];
	mailer: Mailer;
	invitations: Invitations;
	/** Who typed how many wrong session numbers (in memory, per node). */
	numberGuesses: NumberGuessLimiter;
	/** The media plane; null when no SFU is configured (media calls are then refused). */
	media: MediaPort | null;
	sessionMedia: SessionMediaService;
	/** Recordings on disk: listing, control timeline, Export, and who may read their files. */
	recordings: Recordings;
	/** The sessions' chat: lines, typing, the transcript mailed (SPEC §9). */
	chat: Chat;
	/** File transfer (SPEC §9): offers, uploads (tus), downloads, retention. */
	files: FileTransfers;
	/** Reports (SPEC §10): the history, a session's report and its exports, the survey. */
	reports: Reports;
	/** The audit (SPEC §10): signed checkpoints of the chains' heads, and verification. */
	audit: AuditService;
	/** Remote pointer and annotation (SPEC §9): marks drawn and cleared, the pointer told. */
	annotations: Annotations;
	/** Outbound webhooks (issue 11): what admins register, list, remove, retry. */
	webhooks: Webhooks;
	/** Their deliveries: the log's events POSTed to each, on the node holding the lease. */
	webhookDelivery: WebhookDelivery;
	/** Boot: recover presence after a restart, then start the background work (timers, sweeps, effects). */
	open(): Promise<void>;
	close(): Promise<void>;
}

export function createServices(
	db: Database,
	dbKind: 'pglite' | 'postgres',
	config: ServicesConfig,
	media: MediaPort | null = null,
): Services {
	const clock = config.clock ?? systemClock;
	const nodeId = config.nodeId ?? `node-${randomUUID()}`;
	const bus = new Bus();
	const effects: EffectConsumer[] = [];
	const runner = new CommandRunner({
		db,
		dbKind,
		auditKey: config.auditKey,
		clock,
		committed: () => {
			for (const effect of effects) effect.wake();
			webhookDelivery.wake();
		},
	});
	const sessions = new SessionService({
		db,
		bus,
		runner,
		clock,
		...(config.drawSessionNumber ? { drawNumber: config.drawSessionNumber } : {}),
	});
	// A page joining a session of ten people with camera, microphone and screen each makes about 70 media
	// calls at once; a script in a loop makes thousands.
	const mediaRate = new RateLimiter(config.mediaRate ?? { burst: 150, perSecond: 20 }, () => clock.now());
	// Get help makes a session: a client may ask a few times, not fill the queues.
	const helpRequests = new RateLimiter(config.helpRate ?? { burst: 5, perSecond: 1 / 30 }, () => clock.now());
	const sessionMedia = new SessionMediaService({ media, sessions, bus, rate: mediaRate });
	// Administrators' changes to accounts and settings go to the one log, in the change's transaction (SPEC §10).
	const recordAdminChange: AdminRecord = async (tx, { kind, id, by, event }) => {
		await appendToLog(tx, { dbKind, auditKey: config.auditKey, kind, aggregateId: id, actor: by ? `rep:${by}` : 'system' }, [event]);
	};
	const timers = new Timers({ db, clock, nodeId });
	const acd = new Acd({
		db,
		runner,
		clock,
		changed: () => {
			router.wake();
			bus.publishAcd();
		},
	});
	// WebACD's routing runs on the node holding its lease; it follows every session change of this node.
	const router: AcdRouter = new AcdRouter({
		db,
		sessions,
		acd,
		runner,
		timers,
		lease: new Lease({ db, name: 'acd:router', holder: nodeId, clock }),
		clock,
		bus,
	});
	const stopFollowingForAcd = bus.subscribe(followSessionsForAcd({ acd, router, runner }));
	// Closing the console (or losing it past the grace period) makes a WebACD agent away (SPEC §8).
	const lifeline = new ConsoleLifeline({
		db,
		sessions,
		timers,
		clock,
		nodeId,
		...config.lifeline,
		gone: (repId) => acd.leftConsole(repId),
	});
	const mailer = createMailer(config.mail ?? { from: 'Tandem <tandem@localhost>', outboxDir: join(tmpdir(), 'tandem-outbox') });
	if (media) {
		const lease = new Lease({ db, name: 'effect:media', holder: nodeId, clock });
		effects.push(
			new EffectConsumer({
				db,
				lease,
				effect: new MediaEffect({ db, media, sessions, sessionMedia }),
				...(config.effectsPaused ? { paused: config.effectsPaused } : {}),
			}),
		);
	}
	const stopFollowingMedia = media ? followMediaPlane(media, sessions, sessionMedia) : () => {};
	const files = new FileTransfers({ db, sessions, bus, timers, clock, filesDir: config.filesDir ?? join(tmpdir(), 'tandem-files') });
	// Partial bytes of cancelled transfers go, complete files get their retention timer: on one node, durably.
	effects.push(
		new EffectConsumer({
			db,
			lease: new Lease({ db, name: 'effect:files', holder: nodeId, clock }),
			effect: new FilesEffect(files),
			...(config.effectsPaused ? { paused: config.effectsPaused } : {}),
		}),
	);

	// Event export (issue 11): the log's events to the webhooks admins registered, on one node, durably.
	const webhookAddress = {
		allowPrivate: config.webhooks?.allowPrivateAddresses ?? false,
		ownOrigins: [config.publicUrl, ...(config.webhooks?.ownOrigins ?? [])],
	};
	const webhookDelivery: WebhookDelivery = new WebhookDelivery({
		db,
		clock,
		lease: new Lease({ db, name: 'effect:webhooks', holder: nodeId, clock }),
		record: recordAdminChange,
		address: webhookAddress,
		...(config.effectsPaused ? { paused: config.effectsPaused } : {}),
	});
	const webhooks = new Webhooks({ db, clock, record: recordAdminChange, address: webhookAddress, changed: () => webhookDelivery.wake() });

	const recordings = new Recordings({
		db,
		recordingsDir: config.recordingsDir ?? join(tmpdir(), 'tandem-recordings'),
		...(config.ffmpegPath ? { ffmpegPath: config.ffmpegPath } : {}),
	});
	const chat = new Chat({
		db,
		sessions,
		bus,
		mailer,
		rate: new RateLimiter(config.chatRate ?? { burst: 20, perSecond: 5 }, () => clock.now()),
	});
	const audit = new AuditService({
		db,
		auditKey: config.auditKey,
		clock,
		nodeId,
		dir: config.audit?.dir,
		checkpointMs: config.audit?.checkpointMs,
	});
	return {
		db,
		config,
		nodeId,
		clock,
		bus,
		reps: new RepAccounts(db, config.lockout, clock, recordAdminChange),
		recordAdminChange,
		acd,
		router,
		helpRequests,
		sessions,
		lifeline,
		timers,
		effects,
		mailer,
		invitations: new Invitations({ db, sessions, mailer, publicUrl: config.publicUrl }),
		numberGuesses: new NumberGuessLimiter(config.numberGuesses, () => clock.now()),
		media,
		sessionMedia,
		recordings,
		chat,
		files,
		reports: new Reports({ db, sessions, chat, recordings }),
		audit,
		webhooks,
		webhookDelivery,
		annotations: new Annotations({ sessions, bus }),
		async open() {
			// After a restart no console of this node's is connected: their reps' sessions get the grace period.
			await lifeline.recover();
			if (!config.timeByHand) {
				lifeline.start();
				timers.start();
				router.start();
				audit.start();
			}
			for (const effect of effects) effect.start();
			webhookDelivery.start();
		},
		async close() {
			stopFollowingMedia();
			stopFollowingForAcd();
			await router.close();
			lifeline.close();
			await timers.close();
			await Promise.all(effects.map((e) => e.close()));
			await audit.close();
			await webhookDelivery.close();
			recordings.close();
			files.close();
			media?.close();
			mailer.close();
		},
	};
}
