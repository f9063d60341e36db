import dgram from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export type UdpPortPair = { rtp: number; rtcp: number };

/**
 * Hands out (even, even+1) UDP port pairs on 127.0.0.1 from a fixed range, for the ffmpeg children that
 * receive a recorded track (RTP on the even port, RTCP on the next, as an SDP `m=` line implies).
 */
export class UdpPortPairs {
	readonly #min: number;
	readonly #max: number;
	readonly #inUse = new Set<number>();
	#cursor: number;

	constructor(min: number, max: number) {
		this.#min = min + (min % 2);
		this.#max = max;
		this.#cursor = this.#min;
	}

	async reserve(): Promise<UdpPortPair> {
		const pairs = Math.floor((this.#max - this.#min + 1) / 2);
		for (let tried = 0; tried < pairs; tried++) {
			const rtp = this.#cursor;
			this.#cursor = rtp + 2 + 1 > this.#max ? this.#min : rtp + 2;
			if (this.#inUse.has(rtp)) continue;
			if ((await isFree(rtp)) && (await isFree(rtp + 1))) {
				this.#inUse.add(rtp);
				return { rtp, rtcp: rtp + 1 };
			}
		}
		throw new Error(`no free UDP port pair in ${this.#min}-${this.#max}`);
	}

	release(pair: UdpPortPair): void {
		this.#inUse.delete(pair.rtp);
	}
}

function isFree(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = dgram.createSocket('udp4');
		socket.once('error', () => {
			socket.close();
			resolve(false);
		});
		socket.bind({ port, address: '127.0.0.1', exclusive: true }, () => socket.close(() => resolve(true)));
	});
}

/**
 * Waits until some process has bound UDP `port` (read from /proc/net/udp, so without touching the port).
 * Resolves false after `timeoutMs`, or at once where /proc is missing.
 */
export async function waitForUdpListener(port: number, timeoutMs: number): Promise<boolean> {
	const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		let tables: string[];
		try {
			tables = await Promise.all(['/proc/net/udp', '/proc/net/udp6'].map((file) => readFile(file, 'utf8').catch(() => '')));
		} catch {
			return false;
		}
		if (tables.every((t) => t === '')) return false;
		for (const table of tables)
			for (const line of table.split('\n').slice(1)) if (line.trim().split(/\s+/)[1]?.endsWith(hexPort)) return true;
		if (Date.now() > deadline) return false;
		await sleep(25);
	}
}
