// A network that can drop, between a browser and the server: a TCP proxy on loopback that forwards to the
// server, and on `cut()` resets every connection through it and refuses new ones until `restore()`.
// (Chromium's offline emulation leaves a stream that is already open alone, so it cannot drop a feed.)

import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

export interface DropProxy {
	/** The proxy's origin, e.g. http://127.0.0.1:41234: open the pages there. */
	url: string;
	cut(): void;
	restore(): void;
	close(): Promise<void>;
}

export async function dropProxy(target: string): Promise<DropProxy> {
	const { hostname, port } = new URL(target);
	const sockets = new Set<Socket>();
	let down = false;
	const server = createServer((client) => {
		if (down) {
			client.resetAndDestroy();
			return;
		}
		const upstream = connect(Number(port), hostname);
		for (const s of [client, upstream]) {
			sockets.add(s);
			s.on('close', () => sockets.delete(s));
			s.on('error', () => undefined);
		}
		client.pipe(upstream).pipe(client);
		client.on('close', () => upstream.destroy());
		upstream.on('close', () => client.destroy());
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${address.port}`,
		cut() {
			down = true;
			for (const s of sockets) s.resetAndDestroy();
		},
		restore() {
			down = false;
		},
		close: () =>
			new Promise<void>((resolve) => {
				for (const s of sockets) s.destroy();
				server.close(() => resolve());
			}),
	};
}
