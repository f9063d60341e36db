// The API: small routers per area merged in one root.

import { acdRouter } from './routers/acd.ts';
import { adminRouter } from './routers/admin.ts';
import { auditRouter } from './routers/audit.ts';
import { authRouter } from './routers/auth.ts';
import { chatRouter } from './routers/chat.ts';
import { feedRouter } from './routers/feed.ts';
import { filesRouter } from './routers/files.ts';
import { inviteRouter } from './routers/invite.ts';
import { mediaRouter } from './routers/media.ts';
import { recordingsRouter } from './routers/recordings.ts';
import { reportsRouter } from './routers/reports.ts';
import { sessionRouter } from './routers/session.ts';
import { supervisorRouter } from './routers/supervisor.ts';
import { webhooksRouter } from './routers/webhooks.ts';
import { annotationRouter } from './routers/annotation.ts';
import { createCallerFactory, router } from './trpc.ts';

export const appRouter = router({
	auth: authRouter,
	admin: adminRouter,
	session: sessionRouter,
	invite: inviteRouter,
	feed: feedRouter,
	media: mediaRouter,
	recordings: recordingsRouter,
	files: filesRouter,
	acd: acdRouter,
	chat: chatRouter,
	supervisor: supervisorRouter,
	reports: reportsRouter,
	audit: auditRouter,
	webhooks: webhooksRouter,
	annotation: annotationRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
