// The console must stay open (SPEC §2). A rep's console is present while one of its feeds is connected.
// When the last one goes:
//   - after a goodbye (the page said so as it unloaded): the rep's sessions end in 5 s, unless a console
//     of theirs comes back in that time — so a reload ends nothing;
//   - without one (network blip, crash, sleep): they end after the site's grace period.
// After a server restart its consoles' feeds are gone: every live session gets the grace period.
// A connection can also die without the server noticing (the network drops; TCP says nothing for minutes):
// each console sends a heartbeat, and one that falls silent counts as a lost connection.
//
// Presence lives in the database (`consoles`), and the deadline is a timer (`timers`), so that any node can
// act on what another node saw: a goodbye that reaches one node, a feed connected to another.

import { and, eq, isNotNull, lt, ne, sql } from 'drizzle-orm';
import { consoles, supportSessions, type Database } from '@tandem/db';
import { TandemError } from '../refusal.ts';
import type { EndReason } from '../session/model.ts';
import type { Clock } from '../time/clock.ts';
import type { Timers } from '../timers/timers.ts';
import { readSiteSettings } from './repLoad.ts';
import type { SessionService } from './sessionService.ts';

export const GOODBYE_MS = 5_000;
/** A console silent for this long has lost its connection (it beats every 5 s). */
export const HEARTBEAT_TIMEOUT_MS = 20_000;

type GoneReason = EndReason & ('consoleClosed' | 'connectionLost');
const TIMER_KIND = 'console.gone';
const timerKey = (repId: string) => `console:${repId}`;

export interface LifelineOptions {
	db: Database;
	sessions: SessionService;
	timers: Timers;
	clock: Clock;
	/** This node, as the consoles whose feeds it carries name it. */
	nodeId: string;
	goodbyeMs?: number;
	heartbeatTimeoutMs?: number;
	/** Overrides the site setting (tests). */
	gracePeriodMs?: () => Promise<number>;
	/** Told when a rep's console is gone for good (closed, or lost past the grace period): a WebACD agent is then away. */
	gone?: (repId: string) => Promise<void>;
}

export class ConsoleLifeline {
	private readonly options: LifelineOptions;
	private sweeper: ReturnType<typeof setInterval> | null = null;

	constructor(options: LifelineOptions) {
		this.options = options;
		options.timers.on(TIMER_KIND, (payload) => {
			const { repId, reason } = payload as { repId: string; reason: GoneReason };
			return this.consoleGone(repId, reason);
		});
	}

	/** A console's feed connected (to this node); returns what to call when it disconnects. */
	async connected(repId: string, consoleId: string, declared: { microphone?: boolean } = {}): Promise<() => Promise<void>> {
		const { db, nodeId } = this.options;
		const seen = this.now();
		await db
			.insert(consoles)
			.values({ id: consoleId, repId, nodeId, connected: true, microphone: declared.microphone ?? false, leaving: false, lastSeen: seen })
			.onConflictDoUpdate({
				target: consoles.id,
				set: { repId, nodeId, connected: true, leaving: false, lastSeen: seen, ...(declared.microphone ? { microphone: true } : {}) },
			});
		await this.options.timers.cancel(timerKey(repId));
		return () => this.disconnected(repId, consoleId);
	}

	/** A console says it is still there. One that had fallen silent is present again. */
	async heartbeat(repId: string, consoleId: string, declared: { microphone?: boolean } = {}): Promise<void> {
		const { db, nodeId } = this.options;
		const seen = this.now();
		const microphone = declared.microphone === undefined ? {} : { microphone: declared.microphone };
		const [before] = await db.select({ connected: consoles.connected }).from(consoles).where(eq(consoles.id, consoleId));
		await db
			.insert(consoles)
			.values({ id: consoleId, repId, nodeId, connected: true, leaving: false, lastSeen: seen, microphone: declared.microphone ?? false })
			.onConflictDoUpdate({ target: consoles.id, set: { connected: true, lastSeen: seen, ...microphone } });
		if (!before?.connected) await this.options.timers.cancel(timerKey(repId));
	}

	/** The page is unloading (close, navigation away, or a reload). */
	async goodbye(repId: string, consoleId: string): Promise<void> {
		const { db, nodeId } = this.options;
		await db
			.insert(consoles)
			.values({ id: consoleId, repId, nodeId, connected: false, leaving: true, lastSeen: this.now() })
			.onConflictDoUpdate({ target: consoles.id, set: { leaving: true } });
		if (!(await this.isPresent(repId))) await this.schedule(repId, 'consoleClosed');
	}

	async isPresent(repId: string): Promise<boolean> {
		const [row] = await this.options.db
			.select({ n: sql<number>`count(*)::int` })
			.from(consoles)
			.where(and(eq(consoles.repId, repId), eq(consoles.connected, true)));
		return (row?.n ?? 0) > 0;
	}

	/** Consoles that fell silent have lost their connection. Any node may sweep: each console flips once. */
	async sweep(): Promise<void> {
		const timeout = this.options.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS;
		const silent = await this.options.db
			.update(consoles)
			.set({ connected: false })
			.where(and(eq(consoles.connected, true), lt(consoles.lastSeen, new Date(this.options.clock.now() - timeout))))
			.returning({ repId: consoles.repId, leaving: consoles.leaving });
		for (const repId of new Set(silent.map((c) => c.repId))) {
			if (!(await this.isPresent(repId))) await this.schedule(repId, 'connectionLost');
		}
	}

	/**
	 * At boot: the consoles whose feeds this node carried before it stopped are gone, and every controller of
	 * a live session who has no console connected anywhere gets the grace period, counted from now.
	 */
	async recover(): Promise<void> {
		const { db, nodeId } = this.options;
		await db.delete(consoles).where(eq(consoles.nodeId, nodeId));
		const controllers = await db
			.selectDistinct({ repId: supportSessions.controllerRepId })
			.from(supportSessions)
			.where(and(ne(supportSessions.status, 'ended'), isNotNull(supportSessions.controllerRepId)));
		for (const { repId } of controllers) if (repId && !(await this.isPresent(repId))) await this.schedule(repId, 'connectionLost');
	}

	/** Sweeps for silent consoles every couple of seconds until closed. */
	start(): void {
		if (this.sweeper) return;
		const timeout = this.options.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS;
		this.sweeper = setInterval(
			() => void this.sweep().catch((error: unknown) => console.error('lifeline: could not sweep for silent consoles', error)),
			Math.min(2_000, timeout / 2),
		);
		this.sweeper.unref?.();
	}

	close(): void {
		if (this.sweeper) clearInterval(this.sweeper);
		this.sweeper = null;
	}

	private async disconnected(repId: string, consoleId: string): Promise<void> {
		const [gone] = await this.options.db
			.update(consoles)
			.set({ connected: false })
			.where(and(eq(consoles.id, consoleId), eq(consoles.connected, true)))
			.returning({ leaving: consoles.leaving });
		if (!gone) return; // already counted as gone (fell silent)
		if (await this.isPresent(repId)) return;
		await this.schedule(repId, gone.leaving ? 'consoleClosed' : 'connectionLost');
	}

	private async schedule(repId: string, reason: GoneReason): Promise<void> {
		const delay = reason === 'consoleClosed' ? (this.options.goodbyeMs ?? GOODBYE_MS) : await this.gracePeriodMs();
		await this.options.timers.schedule(timerKey(repId), TIMER_KIND, { repId, reason }, this.options.clock.now() + delay);
	}

	private async gracePeriodMs(): Promise<number> {
		if (this.options.gracePeriodMs) return this.options.gracePeriodMs();
		return (await readSiteSettings(this.options.db)).gracePeriodSeconds * 1000;
	}

	/** The deadline came: unless a console of the rep is back, the sessions they control end. */
	private async consoleGone(repId: string, reason: GoneReason): Promise<void> {
		if (await this.isPresent(repId)) return;
		const { db, sessions } = this.options;
		const rows = await db
			.select({ id: supportSessions.id })
			.from(supportSessions)
			.where(and(eq(supportSessions.controllerRepId, repId), ne(supportSessions.status, 'ended')));
		for (const { id } of rows) {
			await sessions.command(id, { kind: 'system' }, { type: 'endForLostConsole', reason }).catch((error: unknown) => {
				// Ended meanwhile by someone else: nothing left to do.
				if (error instanceof TandemError && error.code === 'sessionEnded') return;
				console.error(`lifeline: could not end session ${id} after its console went away`, error);
			});
		}
		// Goodbyes said are spent: the rep's next console starts afresh.
		await db.delete(consoles).where(and(eq(consoles.repId, repId), eq(consoles.connected, false)));
		await this.options.gone?.(repId).catch((error: unknown) => console.error(`lifeline: could not note that ${repId} left`, error));
	}

	private now(): Date {
		return new Date(this.options.clock.now());
	}
}
