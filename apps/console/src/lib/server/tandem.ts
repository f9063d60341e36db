// The one Tandem instance of this server process: created at boot (hooks.server.ts init),
// closed when the process shuts down.
import { createTandem, loadConfig, type Tandem } from '@tandem/core/server';

/** Emitted by server.js (our production server) with a list to push pending close promises onto. */
export const SHUTDOWN_EVENT = 'tandem:shutdown';

// Kept on globalThis so that Vite's dev-mode module reloads reuse the instance instead of opening
// the database a second time.
const slot = globalThis as typeof globalThis & { __tandem?: Promise<Tandem> };

export function getTandem(): Promise<Tandem> {
	if (!slot.__tandem) {
		// Kit 3 only exposes declared variables through $app/env; the server reads its own env directly.
		const created = createTandem(loadConfig(process.env));
		slot.__tandem = created;
		created.catch(() => {
			// A failed start (bad config, database down) is retried on the next request.
			if (slot.__tandem === created) slot.__tandem = undefined;
		});
	}
	return slot.__tandem;
}

/** Closes the instance if one was created; safe to call more than once. */
export async function closeTandem(): Promise<void> {
	const current = slot.__tandem;
	slot.__tandem = undefined;
	if (!current) return;
	const tandem = await current.catch(() => undefined);
	await tandem?.close();
}

const registered = Symbol.for('tandem.shutdown.registered');
const flags = globalThis as typeof globalThis & { [registered]?: boolean };
if (!flags[registered]) {
	flags[registered] = true;
	// server.js: process.emit('tandem:shutdown', pending) and awaits every promise in `pending`.
	process.on(SHUTDOWN_EVENT, (pending: unknown) => {
		const closing = closeTandem();
		if (Array.isArray(pending)) pending.push(closing);
	});
	// adapter-node's own entry (`node build`) emits this one instead.
	process.on('sveltekit:shutdown', () => {
		void closeTandem();
	});
}
