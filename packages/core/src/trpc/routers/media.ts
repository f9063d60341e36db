// Media through core (ARCHITECTURE "Media flow"): each call checks the actor may do it in that
// session, then asks the SFU. Starting a share or a camera is also the session's activity, decided
// by the rules; stopping goes through the rules too, and the media effects close the producer.

import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { announceMedia } from '../../media/mediaEffects.ts';
import { MediaError, type MediaPort } from '../../media/mediaPort.ts';
import { activityOf, mayReceive, maySend } from '../../media/mediaRules.ts';
import { TandemError } from '../../refusal.ts';
import type { SessionState } from '../../session/model.ts';
import { actorIn, participantIn } from '../actor.ts';
import type { Context } from '../context.ts';
import { publicProcedure, router } from '../trpc.ts';

const sessionId = z.uuid();
const id = z.string().min(1).max(100);
const json = z.record(z.string(), z.unknown());
const source = z.enum(['screen', 'camera', 'microphone']);

/** The caller's participant in a session they may take part in, with the media port. */
async function member(ctx: Context, sid: string) {
	const media = ctx.services.media;
	if (!media) throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', cause: new TandemError('mediaUnavailable') });
	const actor = await actorIn(ctx, sid);
	if (actor.kind === 'anonymous') throw new TRPCError({ code: 'UNAUTHORIZED', cause: new TandemError('notSignedIn') });
	const state = await ctx.services.sessions.state(sid);
	if (!state) throw new TRPCError({ code: 'NOT_FOUND', cause: new TandemError('sessionNotFound') });
	const me = participantIn(state, actor);
	const refusal = mayReceive(state, me);
	if (refusal || !me) throw new TRPCError({ code: 'FORBIDDEN', cause: new TandemError(refusal ?? 'notInSession') });
	return { media, actor, state, me };
}

async function sfu<T>(call: () => Promise<T>): Promise<T> {
	try {
		return await call();
	} catch (error) {
		if (error instanceof MediaError) {
			const code =
				error.status === 400
					? 'BAD_REQUEST'
					: error.status === 403
						? 'FORBIDDEN'
						: error.status === 404
							? 'NOT_FOUND'
							: 'SERVICE_UNAVAILABLE';
			throw new TRPCError({
				code,
				message: error.message,
				cause: new TandemError(error.status === 503 ? 'mediaUnavailable' : 'mediaRefused', error.message),
			});
		}
		throw error;
	}
}

const change = (state: SessionState) => ({ sessionId: state.id, state, before: null, events: [] });

export const mediaRouter = router({
	/** The router's capabilities: a browser loads its mediasoup Device with them. */
	capabilities: publicProcedure.input(z.object({ sessionId })).query(async ({ ctx, input }) => {
		const { media } = await member(ctx, input.sessionId);
		return sfu(() => media.openSession(input.sessionId));
	}),

	createTransport: publicProcedure.input(z.object({ sessionId, direction: z.enum(['send', 'recv']) })).mutation(async ({ ctx, input }) => {
		const { media, me } = await member(ctx, input.sessionId);
		await sfu(() => media.openSession(input.sessionId));
		return sfu(() => media.createTransport(input.sessionId, me.id, input.direction));
	}),

	connectTransport: publicProcedure
		.input(z.object({ sessionId, transportId: id, dtlsParameters: json }))
		.mutation(async ({ ctx, input }) => {
			const { media, me } = await member(ctx, input.sessionId);
			await sfu(() => media.connectTransport(input.sessionId, me.id, input.transportId, input.dtlsParameters));
			return { ok: true as const };
		}),

	produce: publicProcedure
		.input(z.object({ sessionId, transportId: id, kind: z.enum(['audio', 'video']), rtpParameters: json, source }))
		.mutation(async ({ ctx, input }) => {
			const { media, actor, state, me } = await member(ctx, input.sessionId);
			const refusal = maySend(state, me, input.source);
			if (refusal) throw new TRPCError({ code: 'FORBIDDEN', cause: new TandemError(refusal) });
			if ((input.source === 'microphone') !== (input.kind === 'audio')) {
				throw new TRPCError({ code: 'BAD_REQUEST', cause: new TandemError('invalidInput') });
			}
			// A new share of the same source replaces the old one (a restart, or a leftover after a drop).
			await sfu(() => media.closeProducers(input.sessionId, { sources: [input.source], participantId: me.id }));
			const { producerId } = await sfu(() =>
				media.produce(input.sessionId, me.id, {
					transportId: input.transportId,
					kind: input.kind,
					rtpParameters: input.rtpParameters,
					source: input.source,
				}),
			);
			const activity = activityOf(input.source);
			if (activity) {
				// The share or camera is an activity of the session: the rules decide, and a refusal closes the producer.
				try {
					await ctx.services.sessions.command(input.sessionId, actor, { type: 'startActivity', activity });
				} catch (error) {
					await media.closeProducers(input.sessionId, { sources: [input.source], participantId: me.id }).catch(() => undefined);
					throw error;
				}
			}
			announceMedia(ctx.services.bus, change((await ctx.services.sessions.state(input.sessionId)) ?? state));
			return { producerId };
		}),

	/** Stop my share, camera or microphone. */
	stop: publicProcedure.input(z.object({ sessionId, source })).mutation(async ({ ctx, input }) => {
		const { media, actor, state, me } = await member(ctx, input.sessionId);
		const activity = activityOf(input.source);
		if (activity) {
			await ctx.services.sessions.command(input.sessionId, actor, { type: 'stopActivity', activity }).catch((error: unknown) => {
				// Already off (the rules ended it first): closing what is left is all there is to do.
				if (!(error instanceof TandemError && error.code === 'activityNotOn')) throw error;
			});
			await sfu(() => media.closeProducers(input.sessionId, { sources: [input.source], participantId: me.id }));
		} else {
			await sfu(() => media.closeProducers(input.sessionId, { sources: ['microphone'], participantId: me.id }));
			announceMedia(ctx.services.bus, change(state));
		}
		return { ok: true as const };
	}),

	/** What the caller can consume now (everyone else's producers). */
	producers: publicProcedure.input(z.object({ sessionId })).query(async ({ ctx, input }) => {
		const { media, me } = await member(ctx, input.sessionId);
		const all = await sfu(() => media.producers(input.sessionId));
		return all.filter((p) => p.participantId !== me.id);
	}),

	consume: publicProcedure
		.input(z.object({ sessionId, transportId: id, producerId: id, rtpCapabilities: json }))
		.mutation(async ({ ctx, input }) => {
			const { media, me } = await member(ctx, input.sessionId);
			return sfu(() =>
				media.consume(input.sessionId, me.id, {
					transportId: input.transportId,
					producerId: input.producerId,
					rtpCapabilities: input.rtpCapabilities,
				}),
			);
		}),

	resumeConsumer: publicProcedure.input(z.object({ sessionId, consumerId: id })).mutation(async ({ ctx, input }) => {
		const { media, me } = await member(ctx, input.sessionId);
		await sfu(() => media.resumeConsumer(input.sessionId, me.id, input.consumerId));
		return { ok: true as const };
	}),
});

export type { MediaPort };
