// Recordings (SPEC §9): list a session's recordings, the control timeline of one, and Export to one
// composite WebM as a background job. Every call is a signed-in rep's; the service checks they may see
// the session (they took part in it, or are an administrator).

import { z } from 'zod';
import { recordingIdSchema } from '../../recordings/manifest.ts';
import { repProcedure, router } from '../trpc.ts';

const sessionId = z.uuid();
/** A recording, optionally with the session the caller means (refused when it is another's). */
const recording = z.object({ recordingId: recordingIdSchema, sessionId: sessionId.optional() });

export const recordingsRouter = router({
	list: repProcedure.input(z.object({ sessionId })).query(({ ctx, input }) => ctx.services.recordings.list(ctx.rep, input.sessionId)),

	timeline: repProcedure
		.input(recording)
		.query(({ ctx, input }) => ctx.services.recordings.timeline(ctx.rep, input.recordingId, input.sessionId)),

	/** Starts the export unless it runs already or is done (then says so). */
	export: repProcedure
		.input(recording)
		.mutation(({ ctx, input }) => ctx.services.recordings.export(ctx.rep, input.recordingId, input.sessionId)),

	exportStatus: repProcedure
		.input(recording)
		.query(({ ctx, input }) => ctx.services.recordings.exportStatus(ctx.rep, input.recordingId, input.sessionId)),
});
