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

let stopping = false;
function stop(why: Record<string, unknown>): void {
	if (stopping) return;
	stopping = true;
	log.info('shutting down', why);
	const force = setTimeout(() => process.exit(1), 15_000);
	force.unref();
	sfu.close().then(
		() => process.exit(0),
		(error: unknown) => {
			log.error('shutdown failed', { error: String(error) });
			process.exit(1);
		},
	);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stop({ signal }));

// Started by Tandem's server with a pipe for stdin: when the server dies — even by SIGKILL, which it cannot
// catch — the pipe's other end closes, and the media server goes with it instead of holding its port.
if (process.env.TANDEM_SFU_PARENT === 'pipe') {
	process.stdin.on('end', () => stop({ reason: 'the server that started it is gone' }));
	process.stdin.on('error', () => stop({ reason: 'the server that started it is gone' }));
	process.stdin.resume();
}
