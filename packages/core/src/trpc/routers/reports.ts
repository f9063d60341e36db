// Reports (SPEC §10): the session history a page at a time, one session's report, and the customer's
// post-session survey. Who may read what is the reports service's to say (reportAccess.ts); the files
// (CSV, JSON) are plain HTTP routes of the console (apps/console/src/routes/api/reports).

import { z } from 'zod';
import { historyFilter, historyPage } from '../../reports/history.ts';
import { surveyAnswer } from '../../reports/survey.ts';
import { actorIn } from '../actor.ts';
import { publicProcedure, repProcedure, router } from '../trpc.ts';

const sessionId = z.uuid();

export const reportsRouter = router({
	history: repProcedure.input(historyPage).query(({ ctx, input }) => ctx.services.reports.history(ctx.rep, input)),

	ratings: repProcedure
		.input(z.object({ filter: historyFilter.default({}) }))
		.query(({ ctx, input }) => ctx.services.reports.ratings(ctx.rep, input.filter)),

	filterChoices: repProcedure.query(({ ctx }) => ctx.services.reports.filterChoices(ctx.rep)),

	session: repProcedure
		.input(z.object({ sessionId, language: z.enum(['en', 'sr']).default('en') }))
		.query(({ ctx, input }) => ctx.services.reports.report(ctx.rep, input.sessionId, input.language)),

	answerSurvey: publicProcedure.input(z.object({ sessionId }).extend(surveyAnswer.shape)).mutation(async ({ ctx, input }) =>
		ctx.services.reports.answerSurvey(await actorIn(ctx, input.sessionId), input.sessionId, {
			rating: input.rating,
			comment: input.comment,
		}),
	),
});
