/**
 * The control API's wire format: request bodies (zod, checked at the door) and response types. Core
 * imports the types (type-only, through src/index.ts); the schemas stay on this side.
 */
import { z } from 'zod';
import type { types as ms } from 'mediasoup';

export const mediaSources = ['screen', 'camera', 'microphone'] as const;
export type MediaSource = (typeof mediaSources)[number];
export type MediaKind = 'audio' | 'video';
/** Screen and camera are video; the microphone is audio. */
export const kindOfSource: Record<MediaSource, MediaKind> = { screen: 'video', camera: 'video', microphone: 'audio' };

/** Session, participant and recording ids travel in URL paths and name folders: keep them plain. */
export const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const id = z.string().regex(idPattern, 'expected an id of letters, digits and _ . : - (at most 128)');

const dtlsParameters = z.object({
	role: z.enum(['auto', 'client', 'server']).optional(),
	fingerprints: z
		.array(z.object({ algorithm: z.enum(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']), value: z.string().min(1) }))
		.min(1),
});

const rtpCodecParameters = z.looseObject({
	mimeType: z.string().regex(/^(audio|video)\/[\w.-]+$/i, 'expected a MIME type like video/VP8'),
	payloadType: z.number().int().min(0).max(127),
	clockRate: z.number().int().positive(),
});

const rtpParameters = z.looseObject({
	mid: z.string().optional(),
	codecs: z.array(rtpCodecParameters).min(1),
	headerExtensions: z.array(z.looseObject({ uri: z.string(), id: z.number().int() })).optional(),
	encodings: z.array(z.looseObject({})).optional(),
	rtcp: z.looseObject({}).optional(),
});

const rtpCapabilities = z.looseObject({
	codecs: z.array(z.looseObject({ kind: z.enum(['audio', 'video']), mimeType: z.string(), clockRate: z.number().int() })).optional(),
	headerExtensions: z.array(z.looseObject({})).optional(),
});

export const createTransportBody = z.object({ direction: z.enum(['send', 'recv']) });
export const createPlainTransportBody = z.object({ direction: z.enum(['send', 'recv']) });
export const connectTransportBody = z.union([
	z.object({ dtlsParameters }),
	z.object({
		ip: z.ipv4().or(z.ipv6()),
		port: z.number().int().min(1).max(65535),
		rtcpPort: z.number().int().min(1).max(65535).optional(),
	}),
]);
export const produceBody = z.object({
	transportId: z.string().min(1),
	kind: z.enum(['audio', 'video']),
	rtpParameters,
	source: z.enum(mediaSources),
});
export const consumeBody = z.object({ transportId: z.string().min(1), producerId: z.string().min(1), rtpCapabilities });
export const closeProducersBody = z.object({
	sources: z.array(z.enum(mediaSources)).optional(),
	participantId: id.optional(),
});
export const startRecordingBody = z.object({ recordingId: id });
export const pathId = id;

export type TransportDirection = 'send' | 'recv';
export type CreateTransportRequest = { direction: TransportDirection };
export type CreateTransportResponse = {
	id: string;
	iceParameters: ms.IceParameters;
	iceCandidates: ms.IceCandidate[];
	dtlsParameters: ms.DtlsParameters;
	sctpParameters?: ms.SctpParameters;
};
/** A plain RTP transport (no ICE/DTLS/SRTP) for ingest from a local process (tests, benchmarks). */
export type CreatePlainTransportRequest = { direction: TransportDirection };
export type CreatePlainTransportResponse = { id: string; ip: string; port: number; rtcpPort: number | undefined };
export type ConnectTransportRequest =
	| { dtlsParameters: ms.DtlsParameters }
	/** Plain 'recv' transports only: where the SFU sends RTP (and RTCP) to. */
	| { ip: string; port: number; rtcpPort?: number };
export type ProduceRequest = { transportId: string; kind: MediaKind; rtpParameters: ms.RtpParameters; source: MediaSource };
export type ProduceResponse = { producerId: string };
export type ConsumeRequest = { transportId: string; producerId: string; rtpCapabilities: ms.RtpCapabilities };
export type ConsumeResponse = {
	consumerId: string;
	producerId: string;
	kind: MediaKind;
	rtpParameters: ms.RtpParameters;
	source: MediaSource;
	producerParticipantId: string;
	/** The sender has paused it (e.g. a muted microphone): nothing flows until it resumes. */
	producerPaused: boolean;
};
export type CloseProducersRequest = { sources?: MediaSource[]; participantId?: string };
export type CloseProducersResponse = { closed: string[] };
export type CreateSessionResponse = { rtpCapabilities: ms.RtpCapabilities };
export type CloseSessionResponse = { ok: true; recording: RecordingManifest | null };
export type OkResponse = { ok: true };
export type ProducerInfo = { producerId: string; participantId: string; kind: MediaKind; source: MediaSource; paused: boolean };
export type StartRecordingRequest = { recordingId: string };

export type RecordingStatus = 'recording' | 'completed' | 'failed';
export type RecordingTrack = {
	/** File name inside the recording's folder. */
	file: string;
	producerId: string;
	participantId: string;
	source: MediaSource;
	kind: MediaKind;
	codec: string;
	/** ms since the epoch: when media started flowing to the file, and when it stopped (null while recording). */
	startedAt: number;
	endedAt: number | null;
	status: RecordingStatus;
	failureReason?: string;
};
export type RecordingManifest = {
	recordingId: string;
	sessionId: string;
	startedAt: number;
	endedAt: number | null;
	status: RecordingStatus;
	failureReason?: string;
	tracks: RecordingTrack[];
};

export type WorkerStats = {
	pid: number;
	sessions: number;
	/** CPU time the worker process used since it started, and its share of one core since the previous /stats call. */
	cpu: { userMs: number; systemMs: number; percentSinceLastStats: number | null };
	maxRssKb: number;
};
export type SfuStats = {
	workers: WorkerStats[];
	sessions: number;
	participants: number;
	transports: number;
	producers: number;
	consumers: number;
	recordings: number;
};

export type SessionMediaStats = {
	producers: {
		producerId: string;
		participantId: string;
		source: MediaSource;
		paused: boolean;
		score: number | null;
		byteCount: number;
		packetCount: number;
	}[];
	consumers: { consumerId: string; participantId: string; producerId: string; paused: boolean; byteCount: number; packetCount: number }[];
};

export type ProducerCloseReason = 'requested' | 'transport-closed' | 'ice-failed' | 'dtls-failed' | 'participant-closed' | 'session-closed';

export type SfuEvent =
	| { type: 'hello'; instanceId: string; startedAt: number }
	| {
			type: 'producer.closed';
			sessionId: string;
			participantId: string;
			producerId: string;
			source: MediaSource;
			reason: ProducerCloseReason;
	  }
	| { type: 'worker.died'; pid: number; sessionIds: string[]; reason: string }
	| { type: 'recording.failed'; sessionId: string; recordingId: string; reason: string; producerId?: string };

export type SfuErrorCode =
	| 'unauthorized'
	| 'bad-json'
	| 'invalid-request'
	| 'not-found'
	| 'forbidden'
	| 'unsupported-codec'
	| 'cannot-consume'
	| 'wrong-direction'
	| 'source-in-use'
	| 'conflict'
	| 'unavailable'
	| 'internal';
export type SfuErrorBody = { error: { code: SfuErrorCode; message: string } };
