/**
 * @tandem/sfu's public face for core: the control API's request, response and event types. Import
 * them type-only (`import type { … } from '@tandem/sfu'`); the server itself runs as its own process.
 */
export type {
	CloseProducersRequest,
	CloseProducersResponse,
	CloseSessionResponse,
	ConnectTransportRequest,
	ConsumeRequest,
	ConsumeResponse,
	CreatePlainTransportRequest,
	CreatePlainTransportResponse,
	CreateSessionResponse,
	CreateTransportRequest,
	CreateTransportResponse,
	MediaKind,
	MediaSource,
	OkResponse,
	ProduceRequest,
	ProduceResponse,
	ProducerCloseReason,
	ProducerInfo,
	RecordingManifest,
	RecordingStatus,
	RecordingTrack,
	SessionMediaStats,
	SfuErrorBody,
	SfuErrorCode,
	SfuEvent,
	SfuStats,
	StartRecordingRequest,
	TransportDirection,
	WorkerStats,
} from './protocol.ts';
export type { SfuConfig } from './config.ts';

/** The header that carries the shared secret on every control request. */
export type SfuSecretHeader = 'x-tandem-sfu-secret';
