// The media port over the SFU's internal control API (HTTP + a shared secret; SSE for its events).

import {
	MediaError,
	type ConsumerOptions,
	type Json,
	type MediaEvent,
	type MediaPort,
	type ProducerInfo,
	type RecordingManifest,
	type TransportOptions,
} from './mediaPort.ts';

export interface SfuClientOptions {
	url: string;
	secret: string;
}

export class SfuClient implements MediaPort {
	private readonly url: string;
	private readonly secret: string;
	private readonly listeners = new Set<(event: MediaEvent) => void>();
	private events: AbortController | null = null;
	private closed = false;

	constructor(options: SfuClientOptions) {
		this.url = options.url.replace(/\/$/, '');
		this.secret = options.secret;
	}

	private async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
		const res = await fetch(`${this.url}${path}`, {
			method,
			headers: { 'x-tandem-sfu-secret': this.secret, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
			body: body === undefined ? undefined : JSON.stringify(body),
		}).catch((error: unknown) => {
			throw new MediaError(503, 'sfuUnavailable', `the media server is not reachable: ${String(error)}`);
		});
		const text = await res.text();
		const data = text ? (JSON.parse(text) as unknown) : undefined;
		if (!res.ok) {
			const err = (data as { error?: { code?: string; message?: string } } | undefined)?.error;
			throw new MediaError(res.status, err?.code ?? 'sfuError', err?.message ?? `SFU ${res.status}`);
		}
		return data as T;
	}

	private s = (sessionId: string) => `/sessions/${encodeURIComponent(sessionId)}`;
	private p = (sessionId: string, participantId: string) => `${this.s(sessionId)}/participants/${encodeURIComponent(participantId)}`;

	openSession(sessionId: string) {
		return this.call<{ rtpCapabilities: Json }>('POST', this.s(sessionId));
	}
	async closeSession(sessionId: string) {
		await this.call('DELETE', this.s(sessionId));
	}
	createTransport(sessionId: string, participantId: string, direction: 'send' | 'recv') {
		return this.call<TransportOptions>('POST', `${this.p(sessionId, participantId)}/transports`, { direction });
	}
	async connectTransport(sessionId: string, participantId: string, transportId: string, dtlsParameters: Json) {
		await this.call('POST', `${this.p(sessionId, participantId)}/transports/${encodeURIComponent(transportId)}/connect`, {
			dtlsParameters,
		});
	}
	produce(sessionId: string, participantId: string, request: Parameters<MediaPort['produce']>[2]) {
		return this.call<{ producerId: string }>('POST', `${this.p(sessionId, participantId)}/produce`, request);
	}
	consume(sessionId: string, participantId: string, request: Parameters<MediaPort['consume']>[2]) {
		return this.call<ConsumerOptions>('POST', `${this.p(sessionId, participantId)}/consume`, request);
	}
	async resumeConsumer(sessionId: string, participantId: string, consumerId: string) {
		await this.call('POST', `${this.p(sessionId, participantId)}/consumers/${encodeURIComponent(consumerId)}/resume`);
	}
	async closeProducers(sessionId: string, filter: { sources?: ProducerInfo['source'][]; participantId?: string }) {
		return (await this.call<{ closed: string[] }>('POST', `${this.s(sessionId)}/producers/close`, filter)).closed;
	}
	async closeParticipant(sessionId: string, participantId: string) {
		await this.call('DELETE', this.p(sessionId, participantId));
	}
	producers(sessionId: string) {
		return this.call<ProducerInfo[]>('GET', `${this.s(sessionId)}/producers`);
	}
	async startRecording(sessionId: string, recordingId: string) {
		await this.call('POST', `${this.s(sessionId)}/recording/start`, { recordingId });
	}
	stopRecording(sessionId: string) {
		return this.call<RecordingManifest | null>('POST', `${this.s(sessionId)}/recording/stop`);
	}

	onEvent(listener: (event: MediaEvent) => void): () => void {
		this.listeners.add(listener);
		if (!this.events) void this.listen();
		return () => this.listeners.delete(listener);
	}

	/** Follow the SFU's event stream, reconnecting while this client is open. */
	private async listen(): Promise<void> {
		while (!this.closed) {
			this.events = new AbortController();
			try {
				const res = await fetch(`${this.url}/events`, { headers: { 'x-tandem-sfu-secret': this.secret }, signal: this.events.signal });
				if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
				const decoder = new TextDecoder();
				let buffer = '';
				for await (const chunk of res.body) {
					buffer += decoder.decode(chunk as Uint8Array, { stream: true });
					let end: number;
					while ((end = buffer.indexOf('\n\n')) >= 0) {
						const block = buffer.slice(0, end);
						buffer = buffer.slice(end + 2);
						const data = block
							.split('\n')
							.filter((l) => l.startsWith('data:'))
							.map((l) => l.slice(5).trimStart())
							.join('\n');
						if (!data) continue;
						try {
							const event = JSON.parse(data) as MediaEvent;
							for (const listener of this.listeners) listener(event);
						} catch {
							/* a malformed event is skipped */
						}
					}
				}
			} catch {
				/* reconnect below */
			}
			if (!this.closed) await new Promise((r) => setTimeout(r, 1000));
		}
	}

	close(): void {
		this.closed = true;
		this.events?.abort();
	}
}
