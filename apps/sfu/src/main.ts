/** The SFU process: `node apps/sfu/src/main.ts` (configuration from the environment, see config.ts). */
import { readSfuConfig } from './config.ts';
import { log } from './log.ts';
import { startSfu } from './sfu.ts';

let config;
try {
	config = readSfuConfig();
} catch (error) {
	process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(2);
}
const sfu = await startSfu(config);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
	process.once(signal, () => {
		log.info('shutting down', { signal });
		const force = setTimeout(() => process.exit(1), 15_000);
		force.unref();
		sfu.close().then(
			() => process.exit(0),
			(error: unknown) => {
				log.error('shutdown failed', { error: String(error) });
				process.exit(1);
			},
		);
	});
}
