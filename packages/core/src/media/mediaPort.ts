// The media port: what core asks of the media plane (apps/sfu). Core decides who may do what; the
// SFU only moves media. Shapes are mediasoup's, passed through as opaque JSON.

export type MediaSource = 'screen' | 'camera' | 'microphone';
export type Json = Record<string, unknown>;

export interface TransportOptions {
	id: string;
	iceParameters: Json;
	iceCandidates: Json[];
	dtlsParameters: Json;
	sctpParameters?: Json;
}

export interface ConsumerOptions {
	consumerId: string;
	producerId: string;
	kind: 'audio' | 'video';
	rtpParameters: Json;
	source: MediaSource;
	producerParticipantId: string;
}

export interface ProducerInfo {
	producerId: string;
	participantId: string;
	kind: 'audio' | 'video';
	source: MediaSource;
	paused: boolean;
}

/** As apps/sfu writes it (apps/sfu/src/protocol.ts): times in ms since the epoch. */
export interface RecordingManifest {
	recordingId: string;
	sessionId: string;
	startedAt: number;
	endedAt: number | null;
	status: 'recording' | 'completed' | 'failed';
	failureReason?: string;
	tracks: {
		file: string;
		producerId: string;
		participantId: string;
		source: MediaSource;
		kind: 'audio' | 'video';
		codec: string;
		startedAt: number;
		endedAt: number | null;
		status: 'recording' | 'completed' | 'failed';
		failureReason?: string;
	}[];
}

export type MediaEvent =
	/** The SFU's event stream opened; a new instanceId means it restarted and all media is gone. */
	| { type: 'hello'; instanceId: string; startedAt: number }
	| { type: 'producer.closed'; sessionId: string; participantId: string; producerId: string; source: MediaSource; reason: string }
	| { type: 'worker.died'; sessionIds: string[] }
	| { type: 'recording.failed'; sessionId: string; recordingId: string; reason: string };

export interface MediaPort {
	openSession(sessionId: string): Promise<{ rtpCapabilities: Json }>;
	closeSession(sessionId: string): Promise<void>;
	createTransport(sessionId: string, participantId: string, direction: 'send' | 'recv'): Promise<TransportOptions>;
	connectTransport(sessionId: string, participantId: string, transportId: string, dtlsParameters: Json): Promise<void>;
	produce(
		sessionId: string,
		participantId: string,
		request: { transportId: string; kind: 'audio' | 'video'; rtpParameters: Json; source: MediaSource },
	): Promise<{ producerId: string }>;
	consume(
		sessionId: string,
		participantId: string,
		request: { transportId: string; producerId: string; rtpCapabilities: Json },
	): Promise<ConsumerOptions>;
	resumeConsumer(sessionId: string, participantId: string, consumerId: string): Promise<void>;
	closeProducers(sessionId: string, filter: { sources?: MediaSource[]; participantId?: string }): Promise<string[]>;
	closeParticipant(sessionId: string, participantId: string): Promise<void>;
	producers(sessionId: string): Promise<ProducerInfo[]>;
	startRecording(sessionId: string, recordingId: string): Promise<void>;
	stopRecording(sessionId: string): Promise<RecordingManifest | null>;
	/** Events from the media plane (a producer's transport failed, a worker died). */
	onEvent(listener: (event: MediaEvent) => void): () => void;
	close(): void;
}

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
