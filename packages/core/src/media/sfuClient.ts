// The media port over the SFU's internal control API (HTTP + a shared secret; SSE for its events). Every
// answer and event is checked against the contract's schema before core uses it.

import type { z } from 'zod';
import {
	SECRET_HEADER,
	closeProducersResponse,
	closeSessionResponse,
	consumeResponse,
	createSessionResponse,
	createTransportResponse,
	okResponse,
	produceResponse,
	producersResponse,
	sfuErrorBody,
	sfuEvent,
	recordingManifest,
	type SfuEvent,
} from '@tandem/sfu-contract';
import { MediaError, type MediaPort } from './mediaPort.ts';

export interface SfuClientOptions {
	url: string;
	secret: string;
}

export class SfuClient implements MediaPort {
	private readonly url: string;
	private readonly secret: string;
	private readonly listeners = new Set<(event: SfuEvent) => void>();
	private events: AbortController | null = null;
	private closed = false;

	constructor(options: SfuClientOptions) {
		this.url = options.url.replace(/\/$/, '');
		this.secret = options.secret;
	}

	private async call<S extends z.ZodType>(answer: S, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<z.infer<S>> {
		const res = await fetch(`${this.url}${path}`, {
			method,
			headers: { [SECRET_HEADER]: this.secret, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
			body: body === undefined ? undefined : JSON.stringify(body),
		}).catch((error: unknown) => {
			throw new MediaError(503, 'sfuUnavailable', `the media server is not reachable: ${String(error)}`);
		});
		const text = await res.text();
		let data: unknown;
		try {
			data = text ? JSON.parse(text) : undefined;
		} catch {
			throw new MediaError(502, 'sfuError', `the media server answered ${res.status} with something that is not JSON`);
		}
		if (!res.ok) {
			const refusal = sfuErrorBody.safeParse(data);
			throw refusal.success
				? new MediaError(res.status, refusal.data.error.code, refusal.data.error.message)
				: new MediaError(res.status, 'sfuError', `SFU ${res.status}`);
		}
		const parsed = answer.safeParse(data);
		if (!parsed.success) throw new MediaError(502, 'sfuError', `the media server's answer to ${method} ${path} breaks the contract`);
		return parsed.data;
	}

	private s = (sessionId: string) => `/sessions/${encodeURIComponent(sessionId)}`;
	private p = (sessionId: string, participantId: string) => `${this.s(sessionId)}/participants/${encodeURIComponent(participantId)}`;

	openSession(sessionId: string) {
		return this.call(createSessionResponse, 'POST', this.s(sessionId));
	}
	async closeSession(sessionId: string) {
		await this.call(closeSessionResponse, 'DELETE', this.s(sessionId));
	}
	createTransport(sessionId: string, participantId: string, direction: 'send' | 'recv') {
		return this.call(createTransportResponse, 'POST', `${this.p(sessionId, participantId)}/transports`, { direction });
	}
	async connectTransport(sessionId: string, participantId: string, transportId: string, dtlsParameters: Record<string, unknown>) {
		await this.call(okResponse, 'POST', `${this.p(sessionId, participantId)}/transports/${encodeURIComponent(transportId)}/connect`, {
			dtlsParameters,
		});
	}
	produce(sessionId: string, participantId: string, request: Parameters<MediaPort['produce']>[2]) {
		return this.call(produceResponse, 'POST', `${this.p(sessionId, participantId)}/produce`, request);
	}
	consume(sessionId: string, participantId: string, request: Parameters<MediaPort['consume']>[2]) {
		return this.call(consumeResponse, 'POST', `${this.p(sessionId, participantId)}/consume`, request);
	}
	async resumeConsumer(sessionId: string, participantId: string, consumerId: string) {
		await this.call(okResponse, 'POST', `${this.p(sessionId, participantId)}/consumers/${encodeURIComponent(consumerId)}/resume`);
	}
	async closeProducers(sessionId: string, filter: Parameters<MediaPort['closeProducers']>[1]) {
		return (await this.call(closeProducersResponse, 'POST', `${this.s(sessionId)}/producers/close`, filter)).closed;
	}
	async closeParticipant(sessionId: string, participantId: string) {
		await this.call(okResponse, 'DELETE', this.p(sessionId, participantId));
	}
	producers(sessionId: string) {
		return this.call(producersResponse, 'GET', `${this.s(sessionId)}/producers`);
	}
	async startRecording(sessionId: string, recordingId: string) {
		await this.call(recordingManifest, 'POST', `${this.s(sessionId)}/recording/start`, { recordingId });
	}
	stopRecording(sessionId: string) {
		return this.call(recordingManifest, 'POST', `${this.s(sessionId)}/recording/stop`);
	}

	onEvent(listener: (event: SfuEvent) => void): () => void {
		this.listeners.add(listener);
		if (!this.events) void this.listen();
		return () => this.listeners.delete(listener);
	}

	/** Follow the SFU's event stream, reconnecting while this client is open. */
	private async listen(): Promise<void> {
		while (!this.closed) {
			this.events = new AbortController();
			try {
				const res = await fetch(`${this.url}/events`, { headers: { [SECRET_HEADER]: this.secret }, signal: this.events.signal });
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
						if (data) this.deliver(data);
					}
				}
			} catch (error) {
				if (!this.closed) console.error(`media: the SFU's event stream broke (${String(error)}); reconnecting`);
			}
			if (!this.closed) await new Promise((r) => setTimeout(r, 1000));
		}
	}

	private deliver(data: string): void {
		let json: unknown;
		try {
			json = JSON.parse(data);
		} catch {
			console.error('media: the SFU sent an event that is not JSON; skipped');
			return;
		}
		const parsed = sfuEvent.safeParse(json);
		if (!parsed.success) {
			console.error('media: the SFU sent an event outside the contract; skipped');
			return;
		}
		for (const listener of this.listeners) listener(parsed.data);
	}

	close(): void {
		this.closed = true;
		this.events?.abort();
	}
}
