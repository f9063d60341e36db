// The server side of Tandem as the console's Node process uses it: open the database, run the
// migrations, wire the services, and answer tRPC.

import { readFileSync, unwatchFile, watchFile, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '@tandem/db';
import { loadConfig, type TandemConfig } from './config.ts';
import { SfuClient } from './media/sfuClient.ts';
import { createServices, type Services } from './services.ts';
import { createContext, type Context } from './trpc/context.ts';
import { appRouter, type AppRouter } from './trpc/root.ts';

export interface Tandem {
	router: AppRouter;
	services: Services;
	createContext(opts: { req: Request; resHeaders: Headers; clientAddress?: string }): Promise<Context>;
	close(): Promise<void>;
}

export async function createTandem(config: TandemConfig): Promise<Tandem> {
	const handle = await openDatabase({ url: config.databaseUrl, dataDir: join(config.dataDir, 'pglite') });
	const media = config.sfu ? new SfuClient(config.sfu) : null;
	const services = createServices(
		handle.db,
		handle.kind,
		{
			publicUrl: config.publicUrl,
			auditKey: config.auditKey,
			lockout: config.lockout,
			numberGuesses: config.numberGuesses,
			trustProxy: config.trustProxy,
			nodeId: config.nodeId,
			effectsPaused: config.effectsPaused,
			lifeline: { heartbeatTimeoutMs: config.consoleSilenceMs },
			mail: config.mail,
			recordingsDir: config.recordingsDir,
			filesDir: config.filesDir,
			ffmpegPath: config.ffmpegPath,
			audit: { dir: config.auditDir, checkpointMs: config.auditCheckpointMs },
			webhooks: config.webhooks,
			...(config.clock ? { clock: config.clock } : {}),
		},
		media,
	);
	// At boot, not at the first request: after a restart the grace periods count from now.
	await services.open();
	const stopWatchingClock = config.testClockFile ? actOnClockMoves(config.testClockFile, services) : () => {};
	return {
		router: appRouter,
		services,
		createContext: (opts) => createContext(services, opts),
		close: async () => {
			stopWatchingClock();
			await services.close();
			await handle.close();
		},
	};
}

/**
 * Browser tests only: when the test moves the clock (writes its file), the server looks for silent consoles
 * and fires what is due at the new time at once, then writes the file's content to `<file>.done` — so the
 * test knows every deadline up to that time has been acted on, without sleeping.
 */
function actOnClockMoves(file: string, services: Services): () => void {
	let pass = Promise.resolve();
	const act = () => {
		pass = pass.then(async () => {
			const moved = readFileSync(file, 'utf8');
			try {
				await services.lifeline.sweep();
				// Twice: a pass the poll loop had begun before the move read the time before it.
				await services.timers.fireDue();
				await services.timers.fireDue();
			} catch (error) {
				console.error('test clock: acting on the new time failed', error);
			}
			writeFileSync(`${file}.done`, moved);
		});
	};
	watchFile(file, { interval: 50 }, act);
	return () => unwatchFile(file, act);
}

export { loadConfig, type TandemConfig, appRouter, type AppRouter, type Context };
export { createServices, type Services } from './services.ts';
export { createCaller } from './trpc/root.ts';
export type { FeedItem } from './trpc/routers/feed.ts';

export { byteRange, type ByteRange } from './http/byteRange.ts';
export { historyDownload, reportDownload } from './reports/reportDownloads.ts';
