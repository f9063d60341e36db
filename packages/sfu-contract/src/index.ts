// The one contract between core and the media server (apps/sfu): the control API's requests and answers,
// the SFU's events, and the recording manifest it leaves on disk. Each shape is a zod schema with its type
// inferred from it; the SFU checks requests with them at its door, core checks answers and events, and the
// recordings reader checks manifests — so neither side keeps a copy of the other's types.
// mediasoup's own parameter objects (ICE, DTLS, RTP) pass through as opaque JSON objects.

import { z } from 'zod';

// ------------------------------------------------------------------ names shared by both sides

export const mediaSources = ['screen', 'camera', 'microphone'] as const;
export const mediaSource = z.enum(mediaSources);
export type MediaSource = z.infer<typeof mediaSource>;

export const mediaKind = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof mediaKind>;
/** Screen and camera are video; the microphone is audio. */
export const kindOfSource: Record<MediaSource, MediaKind> = { screen: 'video', camera: 'video', microphone: 'audio' };

export const transportDirection = z.enum(['send', 'recv']);
export type TransportDirection = z.infer<typeof transportDirection>;

/** Session, participant and recording ids travel in URL paths and name folders: keep them plain. */
export const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
export const pathId = z.string().regex(idPattern, 'expected an id of letters, digits and _ . : - (at most 128)');

/** The header that carries the shared secret on every control request. */
export const SECRET_HEADER = 'x-tandem-sfu-secret';

/** A mediasoup parameter object, passed through unread. */
const json = z.record(z.string(), z.unknown());
export type Json = z.infer<typeof json>;

// ------------------------------------------------------------------ requests (checked by the SFU)

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
	codecs: z.array(z.looseObject({ kind: mediaKind, mimeType: z.string(), clockRate: z.number().int() })).optional(),
	headerExtensions: z.array(z.looseObject({})).optional(),
});

export const createTransportRequest = z.object({ direction: transportDirection });
export type CreateTransportRequest = z.infer<typeof createTransportRequest>;

/** A plain RTP transport (no ICE/DTLS/SRTP) for ingest from a local process (tests, benchmarks). */
export const createPlainTransportRequest = z.object({ direction: transportDirection });
export type CreatePlainTransportRequest = z.infer<typeof createPlainTransportRequest>;

export const connectTransportRequest = z.union([
	z.object({ dtlsParameters }),
	/** Plain 'recv' transports only: where the SFU sends RTP (and RTCP) to. */
	z.object({
		ip: z.ipv4().or(z.ipv6()),
		port: z.number().int().min(1).max(65535),
		rtcpPort: z.number().int().min(1).max(65535).optional(),
	}),
]);
export type ConnectTransportRequest = z.infer<typeof connectTransportRequest>;

export const produceRequest = z.object({ transportId: z.string().min(1), kind: mediaKind, rtpParameters, source: mediaSource });
export type ProduceRequest = z.infer<typeof produceRequest>;

export const consumeRequest = z.object({ transportId: z.string().min(1), producerId: z.string().min(1), rtpCapabilities });
export type ConsumeRequest = z.infer<typeof consumeRequest>;

export const closeProducersRequest = z.object({ sources: z.array(mediaSource).optional(), participantId: pathId.optional() });
export type CloseProducersRequest = z.infer<typeof closeProducersRequest>;

/** Cuts a participant's media connection (its WebRTC transports, one direction or both): what it carried ends. */
export const closeTransportsRequest = z.object({ direction: transportDirection.optional() });
export type CloseTransportsRequest = z.infer<typeof closeTransportsRequest>;

export const startRecordingRequest = z.object({ recordingId: pathId });
export type StartRecordingRequest = z.infer<typeof startRecordingRequest>;

// ------------------------------------------------------------------ answers (checked by core)

export const okResponse = z.object({ ok: z.literal(true) });
export type OkResponse = z.infer<typeof okResponse>;

export const createSessionResponse = z.object({ rtpCapabilities: json });
export type CreateSessionResponse = z.infer<typeof createSessionResponse>;

export const createTransportResponse = z.object({
	id: z.string(),
	iceParameters: json,
	iceCandidates: z.array(json),
	dtlsParameters: json,
	sctpParameters: json.optional(),
});
export type CreateTransportResponse = z.infer<typeof createTransportResponse>;

export const createPlainTransportResponse = z.object({ id: z.string(), ip: z.string(), port: z.number(), rtcpPort: z.number().optional() });
export type CreatePlainTransportResponse = z.infer<typeof createPlainTransportResponse>;

export const produceResponse = z.object({ producerId: z.string() });
export type ProduceResponse = z.infer<typeof produceResponse>;

export const consumeResponse = z.object({
	consumerId: z.string(),
	producerId: z.string(),
	kind: mediaKind,
	rtpParameters: json,
	source: mediaSource,
	producerParticipantId: z.string(),
	/** The sender has paused it (e.g. a muted microphone): nothing flows until it resumes. */
	producerPaused: z.boolean(),
});
export type ConsumeResponse = z.infer<typeof consumeResponse>;

export const producerInfo = z.object({
	producerId: z.string(),
	participantId: z.string(),
	kind: mediaKind,
	source: mediaSource,
	paused: z.boolean(),
});
export type ProducerInfo = z.infer<typeof producerInfo>;
export const producersResponse = z.array(producerInfo);

export const closeProducersResponse = z.object({ closed: z.array(z.string()) });
export type CloseProducersResponse = z.infer<typeof closeProducersResponse>;

export const closeTransportsResponse = z.object({ closed: z.array(z.string()) });
export type CloseTransportsResponse = z.infer<typeof closeTransportsResponse>;

// ------------------------------------------------------------------ the recording manifest

export const recordingStatus = z.enum(['recording', 'completed', 'failed']);
export type RecordingStatus = z.infer<typeof recordingStatus>;

/** A track's file inside its recording's folder: a plain name, no folders, no dot in front. */
export const TRACK_FILE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,150}\.webm$/;
const epochMs = z.number().int().nonnegative();

export const recordingTrack = z.object({
	file: z.string().regex(TRACK_FILE),
	producerId: z.string(),
	participantId: z.string(),
	source: mediaSource,
	kind: mediaKind,
	codec: z.string(),
	/** ms since the epoch: when media started flowing to the file, and when it stopped (null while recording). */
	startedAt: epochMs,
	endedAt: epochMs.nullable(),
	status: recordingStatus,
	failureReason: z.string().optional(),
});
export type RecordingTrack = z.infer<typeof recordingTrack>;

/** `manifest.json` beside a recording's tracks: what was recorded, when, and who produced each track. */
export const recordingManifest = z.object({
	recordingId: z.string(),
	sessionId: z.string(),
	startedAt: epochMs,
	endedAt: epochMs.nullable(),
	status: recordingStatus,
	failureReason: z.string().optional(),
	tracks: z.array(recordingTrack),
});
export type RecordingManifest = z.infer<typeof recordingManifest>;

export const closeSessionResponse = z.object({ ok: z.literal(true), recording: recordingManifest.nullable() });
export type CloseSessionResponse = z.infer<typeof closeSessionResponse>;

// ------------------------------------------------------------------ statistics

export const workerStats = z.object({
	pid: z.number(),
	sessions: z.number(),
	/** CPU time the worker process used since it started, and its share of one core since the previous /stats call. */
	cpu: z.object({ userMs: z.number(), systemMs: z.number(), percentSinceLastStats: z.number().nullable() }),
	maxRssKb: z.number(),
});
export type WorkerStats = z.infer<typeof workerStats>;

export const sfuStats = z.object({
	workers: z.array(workerStats),
	sessions: z.number(),
	participants: z.number(),
	transports: z.number(),
	producers: z.number(),
	consumers: z.number(),
	recordings: z.number(),
});
export type SfuStats = z.infer<typeof sfuStats>;

export const sessionMediaStats = z.object({
	producers: z.array(
		z.object({
			producerId: z.string(),
			participantId: z.string(),
			source: mediaSource,
			paused: z.boolean(),
			score: z.number().nullable(),
			byteCount: z.number(),
			packetCount: z.number(),
		}),
	),
	consumers: z.array(
		z.object({
			consumerId: z.string(),
			participantId: z.string(),
			producerId: z.string(),
			paused: z.boolean(),
			byteCount: z.number(),
			packetCount: z.number(),
		}),
	),
});
export type SessionMediaStats = z.infer<typeof sessionMediaStats>;

// ------------------------------------------------------------------ events (GET /events, Server-Sent Events)

export const producerCloseReason = z.enum([
	'requested',
	'transport-closed',
	'ice-failed',
	'dtls-failed',
	'participant-closed',
	'session-closed',
]);
export type ProducerCloseReason = z.infer<typeof producerCloseReason>;

export const sfuEvent = z.discriminatedUnion('type', [
	/** The event stream opened; a new instanceId means the SFU restarted and all media is gone. */
	z.object({ type: z.literal('hello'), instanceId: z.string(), startedAt: z.number() }),
	z.object({
		type: z.literal('producer.closed'),
		sessionId: z.string(),
		participantId: z.string(),
		producerId: z.string(),
		source: mediaSource,
		reason: producerCloseReason,
	}),
	z.object({ type: z.literal('worker.died'), pid: z.number(), sessionIds: z.array(z.string()), reason: z.string() }),
	/** A participant's browser was given a WebRTC transport and never reached it (its network blocks UDP and TCP to the SFU). */
	z.object({
		type: z.literal('transport.unreachable'),
		sessionId: z.string(),
		participantId: z.string(),
		direction: transportDirection,
	}),
	z.object({
		type: z.literal('recording.failed'),
		sessionId: z.string(),
		recordingId: z.string(),
		reason: z.string(),
		producerId: z.string().optional(),
	}),
]);
export type SfuEvent = z.infer<typeof sfuEvent>;

// ------------------------------------------------------------------ errors

export const sfuErrorCode = z.enum([
	'unauthorized',
	'bad-json',
	'invalid-request',
	'not-found',
	'forbidden',
	'unsupported-codec',
	'cannot-consume',
	'wrong-direction',
	'source-in-use',
	'conflict',
	'unavailable',
	'internal',
]);
export type SfuErrorCode = z.infer<typeof sfuErrorCode>;
export const sfuErrorBody = z.object({ error: z.object({ code: sfuErrorCode, message: z.string() }) });
export type SfuErrorBody = z.infer<typeof sfuErrorBody>;
