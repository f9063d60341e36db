import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import type { SfuConfig } from './config.ts';
import { createControlApi } from './controlApi.ts';
import { log } from './log.ts';
import { MediaServer } from './mediaServer.ts';

export type RunningSfu = {
	media: MediaServer;
	server: http.Server;
	/** The control API's base URL, e.g. http://127.0.0.1:3100 */
	url: string;
	/** Stops recordings cleanly, closes every session and worker, stops listening. */
	close: () => Promise<void>;
};

/** Starts the workers, then the control API. `config.port` 0 picks a free port (tests). */
export async function startSfu(config: SfuConfig): Promise<RunningSfu> {
	const media = new MediaServer(config);
	await media.start();
	const server = createControlApi(media, config.secret);
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(config.port, config.host, () => resolve());
	});
	const { address, port } = server.address() as AddressInfo;
	const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
	log.info('control API listening', {
		url,
		workers: config.workers,
		rtcPorts: `${config.rtcMinPort}-${config.rtcMaxPort}`,
		recordingsDir: config.recordingsDir,
	});
	let closing: Promise<void> | undefined;
	return {
		media,
		server,
		url,
		close: () =>
			(closing ??= (async () => {
				server.close();
				server.closeAllConnections();
				await media.close();
			})()),
	};
}
