// PGlite runs PostgreSQL in this very thread, synchronously, and hands its one connection from query to
// query by promise: a queue of waiting queries drains in one turn of the event loop, however long. Node
// accepts one new connection per turn, so under load a new customer's connection waited seconds in the
// accept queue (issue "Hold under attack", finding 8: join p99 19 s). Here the queries and transactions
// queue in front of PGlite instead (it runs them one at a time anyway), and the queue lets the event loop
// have a turn whenever database work has held it for a few milliseconds.

import type { PGlite } from '@electric-sql/pglite';

/** How long database work may hold the event loop before others get a turn. */
const SLICE_MS = 4;

export function withEventLoopTurns(client: PGlite): PGlite {
	let sliceStart = performance.now();
	let tail: Promise<unknown> = Promise.resolve();
	const inLine = <T>(work: () => Promise<T>): Promise<T> => {
		const mine = tail.then(async () => {
			if (performance.now() - sliceStart >= SLICE_MS) {
				await new Promise<void>((resolve) => setImmediate(resolve));
				sliceStart = performance.now();
			}
			return work();
		});
		tail = mine.catch(() => undefined);
		return mine;
	};
	return new Proxy(client, {
		get(target, property) {
			const value = Reflect.get(target, property, target) as unknown;
			if (typeof value !== 'function') return value;
			const method = value as (...args: unknown[]) => unknown;
			// Only what takes PGlite's one connection (a transaction's own queries run inside it, not here).
			if (property === 'query' || property === 'exec' || property === 'transaction' || property === 'sql') {
				return (...args: unknown[]) => inLine(() => method.apply(target, args) as Promise<unknown>);
			}
			return method.bind(target);
		},
	});
}
