// Media (ARCHITECTURE "Media flow"): each procedure hands the caller to the media service, which asks the
// session rules first and the SFU after.

import { z } from 'zod';
import { mediaKind, mediaSource } from '@tandem/sfu-contract';
import type { MediaCaller } from '../../media/mediaService.ts';
import { actorIn } from '../actor.ts';
import type { Context } from '../context.ts';
import { publicProcedure, router } from '../trpc.ts';

const sessionId = z.uuid();
const id = z.string().min(1).max(100);
const json = z.record(z.string(), z.unknown());

const caller = async (ctx: Context, sid: string): Promise<MediaCaller> => ({ actor: await actorIn(ctx, sid), sessionId: sid });

export const mediaRouter = router({
	capabilities: publicProcedure
		.input(z.object({ sessionId }))
		.query(async ({ ctx, input }) => ctx.services.sessionMedia.capabilities(await caller(ctx, input.sessionId))),

	createTransport: publicProcedure
		.input(z.object({ sessionId, direction: z.enum(['send', 'recv']) }))
		.mutation(async ({ ctx, input }) => ctx.services.sessionMedia.createTransport(await caller(ctx, input.sessionId), input.direction)),

	connectTransport: publicProcedure
		.input(z.object({ sessionId, transportId: id, dtlsParameters: json }))
		.mutation(async ({ ctx, input }) =>
			ctx.services.sessionMedia.connectTransport(await caller(ctx, input.sessionId), input.transportId, input.dtlsParameters),
		),

	produce: publicProcedure
		.input(z.object({ sessionId, transportId: id, kind: mediaKind, rtpParameters: json, source: mediaSource }))
		.mutation(async ({ ctx, input: { sessionId: sid, ...request } }) => ctx.services.sessionMedia.produce(await caller(ctx, sid), request)),

	/** Stop my share, camera or microphone. */
	stop: publicProcedure
		.input(z.object({ sessionId, source: mediaSource }))
		.mutation(async ({ ctx, input }) => ctx.services.sessionMedia.stop(await caller(ctx, input.sessionId), input.source)),

	/** What the caller can consume now (everyone else's producers). */
	producers: publicProcedure
		.input(z.object({ sessionId }))
		.query(async ({ ctx, input }) => ctx.services.sessionMedia.producers(await caller(ctx, input.sessionId))),

	consume: publicProcedure
		.input(z.object({ sessionId, transportId: id, producerId: id, rtpCapabilities: json }))
		.mutation(async ({ ctx, input: { sessionId: sid, ...request } }) => ctx.services.sessionMedia.consume(await caller(ctx, sid), request)),

	resumeConsumer: publicProcedure
		.input(z.object({ sessionId, consumerId: id }))
		.mutation(async ({ ctx, input }) => ctx.services.sessionMedia.resumeConsumer(await caller(ctx, input.sessionId), input.consumerId)),

	/** My page lost its connection to the media server: the others are told, and what I sent on it stops. */
	reportLost: publicProcedure
		.input(z.object({ sessionId, direction: z.enum(['send', 'receive']) }))
		.mutation(async ({ ctx, input }) => ctx.services.sessionMedia.reportLost(await caller(ctx, input.sessionId), input.direction)),
});
