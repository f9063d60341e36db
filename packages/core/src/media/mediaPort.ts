// The media port: what core asks of the media plane (apps/sfu). Core decides who may do what; the SFU only
// moves media. Every shape comes from the one contract with the SFU (@tandem/sfu-contract).

import type {
	ConsumeResponse,
	CreateTransportResponse,
	Json,
	MediaKind,
	MediaSource,
	ProducerInfo,
	RecordingManifest,
	SfuEvent,
} from '@tandem/sfu-contract';

export type { ConsumeResponse, CreateTransportResponse, Json, MediaKind, MediaSource, ProducerInfo, RecordingManifest, SfuEvent };

export interface MediaPort {
	openSession(sessionId: string): Promise<{ rtpCapabilities: Json }>;
	closeSession(sessionId: string): Promise<void>;
	createTransport(sessionId: string, participantId: string, direction: 'send' | 'recv'): Promise<CreateTransportResponse>;
	connectTransport(sessionId: string, participantId: string, transportId: string, dtlsParameters: Json): Promise<void>;
	produce(
		sessionId: string,
		participantId: string,
		request: { transportId: string; kind: MediaKind; rtpParameters: Json; source: MediaSource },
	): Promise<{ producerId: string }>;
	consume(
		sessionId: string,
		participantId: string,
		request: { transportId: string; producerId: string; rtpCapabilities: Json },
	): Promise<ConsumeResponse>;
	resumeConsumer(sessionId: string, participantId: string, consumerId: string): Promise<void>;
	closeProducers(sessionId: string, filter: { sources?: MediaSource[]; participantId?: string }): Promise<string[]>;
	closeParticipant(sessionId: string, participantId: string): Promise<void>;
	producers(sessionId: string): Promise<ProducerInfo[]>;
	startRecording(sessionId: string, recordingId: string): Promise<void>;
	stopRecording(sessionId: string): Promise<RecordingManifest | null>;
	/** Events from the media plane (a producer's transport failed, a worker died, the SFU restarted). */
	onEvent(listener: (event: SfuEvent) => void): () => void;
	close(): void;
}

/** The SFU refused or could not be reached; `code` is the contract's error code (or sfuUnavailable). */
export class MediaError extends Error {
	readonly status: number;
	readonly code: string;
	constructor(status: number, code: string, message: string) {
		super(message);
		this.name = 'MediaError';
		this.status = status;
		this.code = code;
	}
}
