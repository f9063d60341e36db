import { randomUUID } from 'node:crypto';
import type { SfuEvent } from '@tandem/sfu-contract';

export type NumberedEvent = { id: number; event: SfuEvent };
type Listener = (entry: NumberedEvent) => void;

/**
 * What the SFU tells core happened on its own (a producer's transport failed, a worker died, ffmpeg quit).
 * Events are numbered; the last few hundred are kept so a reconnecting `GET /events` (Last-Event-ID)
 * misses nothing. `instanceId` changes with every process: a new one means all media is gone.
 */
export class SfuEventHub {
	readonly instanceId = randomUUID();
	readonly startedAt = Date.now();
	readonly #recent: NumberedEvent[] = [];
	readonly #listeners = new Set<Listener>();
	#nextId = 1;

	publish(event: SfuEvent): void {
		const entry = { id: this.#nextId++, event };
		this.#recent.push(entry);
		if (this.#recent.length > 500) this.#recent.shift();
		for (const listener of this.#listeners) listener(entry);
	}

	/** Calls `listener` with every event after `afterId` still kept, then with each new one. */
	subscribe(listener: Listener, afterId = 0): () => void {
		for (const entry of this.#recent) if (entry.id > afterId) listener(entry);
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}
}
