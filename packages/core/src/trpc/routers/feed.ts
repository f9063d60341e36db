// One feed per page (ARCHITECTURE §7): a subscription carrying every session the page shows.
// Each item is tracked by the global event id, so a reconnecting page resumes where it was: it gets a
// fresh snapshot plus the events it missed.

import { tracked } from '@trpc/server';
import { z } from 'zod';
import type { PointerMove } from '../../annotation/annotations.ts';
import type { TypingChange } from '../../chat/chat.ts';
import type { FileProgress, LineChange, SessionChange } from '../../feed/bus.ts';
import type { OfferView } from '../../service/acd.ts';
import { describeEvent, viewFor, type FeedEvent, type SessionView, type Viewer } from '../../feed/views.ts';
import type { SessionState } from '../../session/model.ts';
import { eventsAfter, logPosition } from '../../log/eventLog.ts';
import type { SessionEvent } from '../../session/model.ts';
import { sessionsOfRep } from '../../service/sessionStore.ts';
import type { Context } from '../context.ts';
import { publicProcedure, router } from '../trpc.ts';

/** A waiting customer's place in their queue's line and the estimated wait (SPEC §8); null: not known yet. */
export interface LineItem {
	sessionId: string;
	position: number | null;
	/** null: no agent is there to take it right now. */
	waitMs: number | null;
}

export type FeedItem =
	| {
			kind: 'snapshot';
			/** The site's clock as it sent this: a page tells the time since a server's moment by it, not by its own. */
			now: number;
			sessions: SessionView[];
			missed: FeedEvent[];
			/** A page opening afresh (not resuming): each session's chat transcript so far, by session id. */
			transcripts?: Record<string, FeedEvent[]>;
			offers?: OfferView[];
			line?: LineItem | null;
	  }
	/** Someone in a session is typing in its chat (never stored). */
	| { kind: 'typing'; sessionId: string; participantId: string; name: string }
	/** The remote pointer over a shared screen (`share`: whose), 0–1 across and down; null: it left (never stored). */
	| { kind: 'pointer'; sessionId: string; share: string; name: string; x: number | null; y: number | null }
	| { kind: 'session'; session: SessionView; events: FeedEvent[] }
	/** Media came or went in a session: refetch what can be consumed (not an event of the record). */
	| { kind: 'media'; sessionId: string }
	/** The offers out to this agent now (SPEC §8). */
	| { kind: 'offers'; offers: OfferView[] }
	/** The waiting customer's place in line changed. */
	| { kind: 'line'; line: LineItem }
	/**
	 * How far a file's upload has come (SPEC §9), to its sender (bytes sent) and recipients (bytes available);
	 * a few times a second at most, and once when complete (then `file.uploaded` follows in a session item).
	 */
	| { kind: 'fileProgress'; sessionId: string; fileId: string; bytes: number; size: number };

/** The customer's place in a line told by routing. */
function placeIn(line: LineChange, sessionId: string): LineItem {
	const i = line.sessionIds.indexOf(sessionId);
	const position = i < 0 ? null : i + 1;
	return { sessionId, position, waitMs: position !== null && line.perPlaceMs !== null ? position * line.perPlaceMs : null };
}

export const feedRouter = router({
	events: publicProcedure
		.input(
			z.object({
				as: z.enum(['rep', 'customer']),
				/** A console page's own id: its feed is the console's lifeline (SPEC §2). */
				consoleId: z.string().min(8).max(64).optional(),
				/** The console has a microphone (SPEC §6: with the Voice calls setting, it supports voice). */
				microphone: z.boolean().optional(),
				lastEventId: z.string().regex(/^\d+$/).nullish(),
			}),
		)
		.subscription(async function* ({ ctx, input, signal }) {
			const viewer = await viewerOf(ctx, input.as);
			if (!viewer) {
				// Nobody to show anything to (not signed in, or no session joined yet): say so once.
				yield tracked('0', { kind: 'snapshot', now: ctx.services.clock.now(), sessions: [], missed: [] } satisfies FeedItem);
				return;
			}

			// Listen first, then read the snapshot, so nothing falls between the two.
			const queue: (
				| SessionChange
				| { media: string }
				| { offers: true }
				| { line: LineChange }
				| { typing: TypingChange }
				| { pointer: PointerMove }
				| { progress: FileProgress }
			)[] = [];
			let wake: (() => void) | null = null;
			/** A waiting customer's session and the queue it waits in (their place in its line is theirs to hear). */
			let waitingIn: { sessionId: string; queueId: string } | null = null;
			const unsubscribe = ctx.services.bus.subscribe((change) => {
				if (concerns(change, viewer)) {
					queue.push(change);
					wake?.();
				}
				if (viewer.kind === 'rep' && offersFor(change, viewer.repId)) {
					queue.push({ offers: true });
					wake?.();
				}
			});
			const unsubscribeLine = ctx.services.bus.subscribeLine((line) => {
				if (waitingIn && line.queueId === waitingIn.queueId) {
					queue.push({ line });
					wake?.();
				}
			});
			const unsubscribeTyping = ctx.services.bus.subscribeTyping((t) => {
				const mine = viewer.kind === 'rep' ? t.repIds.includes(viewer.repId) : t.participantIds.includes(viewer.participantId);
				// Nobody hears themselves typing.
				const self = viewer.kind === 'rep' ? t.repId === viewer.repId : t.participantId === viewer.participantId;
				if (mine && !self) {
					queue.push({ typing: t });
					wake?.();
				}
			});
			const unsubscribePointer = ctx.services.bus.subscribePointer((p) => {
				const mine = viewer.kind === 'rep' ? p.repIds.includes(viewer.repId) : p.participantIds.includes(viewer.participantId);
				const self = viewer.kind === 'rep' ? p.repId === viewer.repId : p.participantId === viewer.participantId;
				if (mine && !self) {
					queue.push({ pointer: p });
					wake?.();
				}
			});
			const unsubscribeMedia = ctx.services.bus.subscribeMedia((m) => {
				const mine = viewer.kind === 'rep' ? m.repIds.includes(viewer.repId) : m.participantIds.includes(viewer.participantId);
				if (mine) {
					queue.push({ media: m.sessionId });
					wake?.();
				}
			});
			const unsubscribeProgress = ctx.services.bus.subscribeFileProgress((progress) => {
				const mine =
					viewer.kind === 'rep' ? progress.repIds.includes(viewer.repId) : progress.participantIds.includes(viewer.participantId);
				if (mine) {
					queue.push({ progress });
					wake?.();
				}
			});
			// A rep disabled while their console is open: their feed ends at once (the console then signs in).
			let signedOut = false;
			const stopWatchingLogins =
				viewer.kind === 'rep'
					? ctx.services.reps.onLoginsEnded((repId) => {
							if (repId !== viewer.repId) return;
							signedOut = true;
							wake?.();
						})
					: () => {};
			const stop = () => wake?.();
			signal?.addEventListener('abort', stop);
			let release: (() => Promise<void>) | null = null;
			try {
				if (viewer.kind === 'rep' && input.consoleId) {
					release = await ctx.services.lifeline.connected(viewer.repId, input.consoleId, { microphone: input.microphone });
				}
				const position = await logPosition(ctx.services.db);
				const states = await sessionsOf(ctx, viewer);
				const after = input.lastEventId ? Number(input.lastEventId) : null;
				const missed =
					after === null
						? []
						: (await eventsAfter(ctx.services.db, after, { kind: 'session', aggregateIds: states.map((s) => s.id) }))
								.filter((e) => e.id <= position)
								.map((e) =>
									describeEvent(
										e.id,
										e.aggregateId,
										e.event as SessionEvent,
										null,
										states.find((s) => s.id === e.aggregateId)!,
									),
								);
				waitingIn = waitingOf(states[0], viewer);
				/** The place last told to this page. */
				let told: LineItem | null = waitingIn ? placeIn(await ctx.services.acd.lineOf(waitingIn.queueId), waitingIn.sessionId) : null;
				// Afresh, the page has no transcript yet: each session's so far (resuming, `missed` brings what it lacks).
				const transcripts =
					after === null
						? Object.fromEntries(
								await Promise.all(states.map(async (s) => [s.id, await ctx.services.chat.transcript(s.id, viewer, position)] as const)),
							)
						: undefined;
				yield tracked(String(position), {
					kind: 'snapshot',
					now: ctx.services.clock.now(),
					sessions: states.map((s) => viewFor(s, viewer)),
					missed,
					...(transcripts ? { transcripts } : {}),
					...(viewer.kind === 'rep' ? { offers: await ctx.services.acd.offersFor(viewer.repId) } : {}),
					...(told ? { line: told } : {}),
				} satisfies FeedItem);

				while (!signal?.aborted && !signedOut) {
					const change = queue.shift();
					if (!change) {
						await new Promise<void>((resolve) => (wake = resolve));
						wake = null;
						continue;
					}
					if ('typing' in change) {
						const t = change.typing;
						yield { kind: 'typing', sessionId: t.sessionId, participantId: t.participantId, name: t.name } satisfies FeedItem;
						continue;
					}
					if ('pointer' in change) {
						const p = change.pointer;
						yield {
							kind: 'pointer',
							sessionId: p.sessionId,
							share: p.share,
							name: p.name,
							x: p.at?.x ?? null,
							y: p.at?.y ?? null,
						} satisfies FeedItem;
						continue;
					}
					if ('media' in change) {
						yield { kind: 'media', sessionId: change.media } satisfies FeedItem;
						continue;
					}
					if ('progress' in change) {
						const { sessionId, fileId, bytes, size } = change.progress;
						yield { kind: 'fileProgress', sessionId, fileId, bytes, size } satisfies FeedItem;
						continue;
					}
					if ('offers' in change) {
						if (viewer.kind === 'rep') yield { kind: 'offers', offers: await ctx.services.acd.offersFor(viewer.repId) } satisfies FeedItem;
						continue;
					}
					if ('line' in change) {
						if (!waitingIn) continue;
						// Routing tells each queue's line on every pass: a customer hears only when their place changed.
						const place = placeIn(change.line, waitingIn.sessionId);
						if (told && told.sessionId === place.sessionId && told.position === place.position && told.waitMs === place.waitMs) continue;
						told = place;
						yield { kind: 'line', line: place } satisfies FeedItem;
						continue;
					}
					if (viewer.kind === 'customer') {
						const was = waitingIn?.queueId;
						waitingIn = waitingOf(change.state, viewer);
						// Into a line (Get help, a transfer): where in it, at once.
						if (waitingIn && waitingIn.queueId !== was) queue.push({ line: await ctx.services.acd.lineOf(waitingIn.queueId) });
					}
					const last = change.events.at(-1)!;
					if (last.id <= position) continue;
					yield tracked(String(last.id), {
						kind: 'session',
						session: viewFor(change.state, viewer),
						events: change.events.map((e) => describeEvent(e.id, e.sessionId, e.event, change.before, change.state)),
					} satisfies FeedItem);
				}
			} finally {
				await release?.().catch((error: unknown) => console.error('lifeline: could not note a console going', error));
				unsubscribe();
				unsubscribeLine();
				unsubscribeMedia();
				unsubscribeTyping();
				unsubscribePointer();
				unsubscribeProgress();
				stopWatchingLogins();
				signal?.removeEventListener('abort', stop);
			}
		}),
});

async function viewerOf(ctx: Context, as: 'rep' | 'customer'): Promise<Viewer | null> {
	if (as === 'rep') return ctx.rep ? { kind: 'rep', repId: ctx.rep.id, agent: ctx.rep.isAgent } : null;
	if (!ctx.customerToken) return null;
	const customer = await ctx.services.sessions.customerFromToken(ctx.customerToken);
	return customer ? { kind: 'customer', participantId: customer.participantId } : null;
}

async function sessionsOf(ctx: Context, viewer: Viewer): Promise<SessionState[]> {
	if (viewer.kind === 'rep') return sessionsOfRep(ctx.services.db, viewer.repId);
	const customer = await ctx.services.sessions.customerFromToken(ctx.customerToken!);
	const state = customer ? await ctx.services.sessions.state(customer.sessionId) : null;
	return state ? [state] : [];
}

function concerns(change: SessionChange, viewer: Viewer): boolean {
	const inIt = (s: SessionState | null) =>
		!!s?.participants.some((p) => (viewer.kind === 'rep' ? p.repId === viewer.repId : p.id === viewer.participantId));
	return inIt(change.state) || inIt(change.before);
}

/** Whether a change touches the offers out to an agent (made, withdrawn, expired, taken). */
function offersFor(change: SessionChange, repId: string): boolean {
	const has = (s: SessionState | null) => !!s?.handover?.offers.some((o) => o.repId === repId);
	return has(change.before) || has(change.state);
}

/** The customer's waiting session and its queue, while it waits in one. */
function waitingOf(state: SessionState | undefined, viewer: Viewer): { sessionId: string; queueId: string } | null {
	if (viewer.kind !== 'customer' || !state || state.status !== 'waiting' || !state.handover?.queueId) return null;
	return { sessionId: state.id, queueId: state.handover.queueId };
}
