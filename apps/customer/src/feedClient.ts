// The page's one feed (ARCHITECTURE §7): the tRPC subscription `feed.events` read with the browser's own
// EventSource, which reconnects by itself and sends the last event id it saw (Last-Event-ID), so the server
// resumes where the page was. Loaded lazily by App.svelte — the first screen needs no feed — and written
// here rather than taken from @trpc/client's subscription link, which alone was a tenth of the first load.
// The wire format is tRPC's SSE: `connected`, then items (tracked ones carry an `id:`), `return` at the end,
// `serialized-error` for a refusal; `ping` keeps quiet connections open.
import type { FeedItem } from '@tandem/core/server';
import { TRPC_URL } from './trpc.ts';

export interface FeedHandlers {
	onData(item: FeedItem): void;
	/** 'connecting' while (re)connecting, 'pending' once the server has answered. */
	onConnectionStateChange(state: { state: 'connecting' | 'pending' }): void;
	/** The server refused the feed (it will not be retried). */
	onError(): void;
}

/** After the browser gave up on a connection (an answer that was no stream), a fresh try this much later. */
const RETRY_MS = 1_000;

export function subscribeFeed(input: { as: 'customer' }, handlers: FeedHandlers): { unsubscribe(): void } {
	let source: EventSource | null = null;
	let lastEventId: string | null = null;
	let stopped = false;
	let retry: ReturnType<typeof setTimeout> | undefined;

	const stop = () => {
		stopped = true;
		clearTimeout(retry);
		source?.close();
		source = null;
	};

	const open = () => {
		const query = encodeURIComponent(JSON.stringify(lastEventId ? { ...input, lastEventId } : input));
		const opened = new EventSource(`${TRPC_URL}/feed.events?input=${query}`);
		source = opened;
		handlers.onConnectionStateChange({ state: 'connecting' });
		opened.addEventListener('connected', () => handlers.onConnectionStateChange({ state: 'pending' }));
		opened.onmessage = (e: MessageEvent<string>) => {
			if (e.lastEventId) lastEventId = e.lastEventId;
			handlers.onData(JSON.parse(e.data) as FeedItem);
		};
		opened.addEventListener('return', stop);
		opened.addEventListener('serialized-error', () => {
			stop();
			handlers.onError();
		});
		opened.onerror = () => {
			if (stopped || source !== opened) return;
			handlers.onConnectionStateChange({ state: 'connecting' });
			// A dropped connection the browser retries by itself; one it gave up on, we try afresh.
			if (opened.readyState === EventSource.CLOSED) retry = setTimeout(() => stopped || open(), RETRY_MS);
		};
	};

	open();
	return { unsubscribe: stop };
}
