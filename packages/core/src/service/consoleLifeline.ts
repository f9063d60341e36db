// The console must stay open (SPEC §2). A rep's console is present while one of its feeds is
// connected. When the last one goes:
//   - after a goodbye (the page said so as it unloaded): the rep's sessions end in 5 s, unless a
//     console of theirs comes back in that time — so a reload ends nothing;
//   - without one (network blip, crash, sleep): they end after the site's grace period.
// After a server restart no console is connected yet: every live session gets the grace period.
// A connection can also die without the server noticing (the network drops; TCP says nothing for
// minutes): each console sends a heartbeat, and one that falls silent counts as a lost connection.

import { and, eq, isNotNull, ne } from 'drizzle-orm';
import { supportSessions, type Database } from '@tandem/db';
import type { EndReason } from '../session/model.ts';
import { readSiteSettings } from './repLoad.ts';
import type { SessionService } from './sessionService.ts';

export const GOODBYE_MS = 5_000;
/** A console silent for this long has lost its connection (it beats every 5 s). */
export const HEARTBEAT_TIMEOUT_MS = 15_000;

interface RepPresence {
	consoles: Set<string>;
	/** When each connected console was last heard of (connect or heartbeat). */
	lastSeen: Map<string, number>;
	/** Consoles that declared a microphone (SPEC §6: a console supports voice with one). */
	microphones: Set<string>;
	/** Consoles that said goodbye (they unload; their feed is about to close). */
	leaving: Set<string>;
	timer: ReturnType<typeof setTimeout> | null;
	/** Bumped by every schedule and cancel, so a slower earlier schedule cannot arm a stale timer. */
	generation: number;
}

export interface LifelineOptions {
	db: Database;
	sessions: SessionService;
	goodbyeMs?: number;
	heartbeatTimeoutMs?: number;
	/** Overrides the site setting (tests). */
	gracePeriodMs?: () => Promise<number>;
}

export class ConsoleLifeline {
	private readonly reps = new Map<string, RepPresence>();
	private readonly options: LifelineOptions;
	private closed = false;

	private readonly sweeper: ReturnType<typeof setInterval>;

	constructor(options: LifelineOptions) {
		this.options = options;
		const timeout = options.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS;
		this.sweeper = setInterval(() => this.sweep(timeout), Math.min(2_000, timeout / 2));
		this.sweeper.unref?.();
	}

	/** A console says it is still there. One that had fallen silent is present again. */
	heartbeat(repId: string, consoleId: string, declared: { microphone?: boolean } = {}): void {
		const rep = this.presence(repId);
		if (declared.microphone) rep.microphones.add(consoleId);
		else if (declared.microphone === false) rep.microphones.delete(consoleId);
		if (!rep.consoles.has(consoleId)) {
			rep.consoles.add(consoleId);
			this.cancel(rep);
		}
		rep.lastSeen.set(consoleId, Date.now());
	}

	private sweep(timeout: number): void {
		const now = Date.now();
		for (const [repId, rep] of this.reps) {
			for (const consoleId of [...rep.consoles]) {
				if (now - (rep.lastSeen.get(consoleId) ?? now) > timeout) this.disconnected(repId, consoleId);
			}
		}
	}

	/** A console's feed connected; returns what to call when it disconnects. */
	connected(repId: string, consoleId: string, declared: { microphone?: boolean } = {}): () => void {
		const rep = this.presence(repId);
		if (declared.microphone) rep.microphones.add(consoleId);
		rep.consoles.add(consoleId);
		rep.lastSeen.set(consoleId, Date.now());
		rep.leaving.delete(consoleId);
		this.cancel(rep);
		return () => this.disconnected(repId, consoleId);
	}

	/** The page is unloading (close, navigation away, or a reload). */
	goodbye(repId: string, consoleId: string): void {
		const rep = this.presence(repId);
		rep.leaving.add(consoleId);
		if (!rep.consoles.has(consoleId) && rep.consoles.size === 0) this.schedule(repId, 'consoleClosed');
	}

	/** Whether a present console of the rep has a microphone; undefined when none is present. */
	hasMicrophone(repId: string): boolean | undefined {
		const rep = this.reps.get(repId);
		if (!rep || rep.consoles.size === 0) return undefined;
		return [...rep.consoles].some((c) => rep.microphones.has(c));
	}

	isPresent(repId: string): boolean {
		return (this.reps.get(repId)?.consoles.size ?? 0) > 0;
	}

	/** After a restart: every controller of a live session gets the grace period to come back. */
	async recover(): Promise<void> {
		const rows = await this.options.db
			.selectDistinct({ repId: supportSessions.controllerRepId })
			.from(supportSessions)
			.where(and(ne(supportSessions.status, 'ended'), isNotNull(supportSessions.controllerRepId)));
		for (const { repId } of rows) if (repId && !this.isPresent(repId)) this.schedule(repId, 'connectionLost');
	}

	close(): void {
		this.closed = true;
		clearInterval(this.sweeper);
		for (const rep of this.reps.values()) this.cancel(rep);
	}

	private disconnected(repId: string, consoleId: string): void {
		const rep = this.presence(repId);
		if (!rep.consoles.delete(consoleId)) return; // already counted as gone (fell silent)
		rep.lastSeen.delete(consoleId);
		rep.microphones.delete(consoleId);
		if (rep.consoles.size > 0) return;
		this.schedule(repId, rep.leaving.has(consoleId) ? 'consoleClosed' : 'connectionLost');
	}

	private schedule(repId: string, reason: 'consoleClosed' | 'connectionLost'): void {
		if (this.closed) return;
		const rep = this.presence(repId);
		this.cancel(rep);
		const generation = rep.generation;
		void this.delayFor(reason).then((ms) => {
			if (this.closed || rep.consoles.size > 0 || rep.generation !== generation) return;
			rep.timer = setTimeout(() => {
				rep.timer = null;
				rep.leaving.clear();
				if (rep.consoles.size === 0) void this.endSessionsOf(repId, reason);
			}, ms);
			rep.timer.unref?.();
		});
	}

	private async delayFor(reason: 'consoleClosed' | 'connectionLost'): Promise<number> {
		if (reason === 'consoleClosed') return this.options.goodbyeMs ?? GOODBYE_MS;
		if (this.options.gracePeriodMs) return this.options.gracePeriodMs();
		return (await readSiteSettings(this.options.db)).gracePeriodSeconds * 1000;
	}

	private async endSessionsOf(repId: string, reason: EndReason & ('consoleClosed' | 'connectionLost')): Promise<void> {
		const rows = await this.options.db
			.select({ id: supportSessions.id })
			.from(supportSessions)
			.where(and(eq(supportSessions.controllerRepId, repId), ne(supportSessions.status, 'ended')));
		for (const { id } of rows) {
			await this.options.sessions.command(id, { kind: 'system' }, { type: 'endForLostConsole', reason }).catch((error: unknown) => {
				console.error(`could not end session ${id} after its console went away`, error);
			});
		}
	}

	private cancel(rep: RepPresence): void {
		if (rep.timer) clearTimeout(rep.timer);
		rep.timer = null;
		rep.generation++;
	}

	private presence(repId: string): RepPresence {
		let rep = this.reps.get(repId);
		if (!rep) {
			rep = { consoles: new Set(), lastSeen: new Map(), microphones: new Set(), leaving: new Set(), timer: null, generation: 0 };
			this.reps.set(repId, rep);
		}
		return rep;
	}
}
