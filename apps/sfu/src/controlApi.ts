import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { z } from 'zod';
import { SfuError, fromMediasoupError } from './errors.ts';
import { log } from './log.ts';
import type { MediaServer } from './mediaServer.ts';
import {
	SECRET_HEADER,
	closeProducersRequest,
	closeTransportsRequest,
	connectTransportRequest,
	consumeRequest,
	createPlainTransportRequest,
	createTransportRequest,
	pathId,
	produceRequest,
	startRecordingRequest,
} from '@tandem/sfu-contract';
import type {
	CloseProducersResponse,
	CloseTransportsResponse,
	CloseSessionResponse,
	ConsumeResponse,
	CreatePlainTransportResponse,
	CreateSessionResponse,
	CreateTransportResponse,
	OkResponse,
	ProduceResponse,
	ProducerInfo,
	RecordingManifest,
	SessionMediaStats,
	SfuErrorBody,
	SfuStats,
} from '@tandem/sfu-contract';

const MAX_BODY_BYTES = 256 * 1024;

type Params = Record<string, string>;
type Request = { params: Params; body: unknown; req: http.IncomingMessage; res: http.ServerResponse };
type Handler = (request: Request) => Promise<unknown> | unknown;
type Route = { method: string; segments: string[]; handler: Handler };

/**
 * The SFU's internal control API: JSON over HTTP, called only by core, every request carrying the shared
 * secret. Paths and bodies are listed in apps/sfu/README.md; shapes in @tandem/sfu-contract.
 */
export function createControlApi(media: MediaServer, secret: string): http.Server {
	const routes: Route[] = [];
	const route = (method: string, pattern: string, handler: Handler) =>
		routes.push({ method, segments: pattern.split('/').filter(Boolean), handler });
	const ok: OkResponse = { ok: true };

	route('GET', '/health', () => ok);
	route('GET', '/stats', (): Promise<SfuStats> => media.stats());
	route('GET', '/events', ({ req, res }) => streamEvents(media, req, res));

	route('POST', '/sessions/:sessionId', async ({ params }): Promise<CreateSessionResponse> => {
		const session = await media.openSession(params.sessionId!);
		return { rtpCapabilities: session.rtpCapabilities };
	});
	route('DELETE', '/sessions/:sessionId', async ({ params }): Promise<CloseSessionResponse> => ({
		ok: true,
		recording: await media.closeSession(params.sessionId!),
	}));
	route('GET', '/sessions/:sessionId/producers', ({ params }): ProducerInfo[] => media.session(params.sessionId!).listProducers());
	route('GET', '/sessions/:sessionId/stats', ({ params }): Promise<SessionMediaStats> => media.session(params.sessionId!).mediaStats());
	route('POST', '/sessions/:sessionId/producers/close', ({ params, body }): CloseProducersResponse => {
		const filter = parse(closeProducersRequest, body);
		return { closed: media.session(params.sessionId!).closeProducers(filter) };
	});
	route('POST', '/sessions/:sessionId/recording/start', async ({ params, body }): Promise<RecordingManifest> => {
		const { recordingId } = parse(startRecordingRequest, body);
		return media.startRecording(params.sessionId!, recordingId);
	});
	route('POST', '/sessions/:sessionId/recording/stop', ({ params }): Promise<RecordingManifest> =>
		media.session(params.sessionId!).stopRecording(),
	);
	route('GET', '/sessions/:sessionId/recording', ({ params }): RecordingManifest => {
		const recording = media.session(params.sessionId!).recording;
		if (!recording) throw new SfuError(404, 'not-found', `session ${params.sessionId} has no recording`);
		return recording.manifest;
	});

	const participant = '/sessions/:sessionId/participants/:participantId';
	route('DELETE', participant, ({ params }): OkResponse => {
		media.session(params.sessionId!).closeParticipant(params.participantId!);
		return ok;
	});
	route('POST', `${participant}/transports`, ({ params, body }): Promise<CreateTransportResponse> => {
		const { direction } = parse(createTransportRequest, body);
		return media.session(params.sessionId!).createWebRtcTransport(params.participantId!, direction);
	});
	route('POST', `${participant}/transports/close`, ({ params, body }): CloseTransportsResponse => {
		const { direction } = parse(closeTransportsRequest, body);
		return { closed: media.session(params.sessionId!).closeTransports(params.participantId!, direction) };
	});
	route('POST', `${participant}/plain-transports`, ({ params, body }): Promise<CreatePlainTransportResponse> => {
		const { direction } = parse(createPlainTransportRequest, body);
		return media.session(params.sessionId!).createPlainTransport(params.participantId!, direction);
	});
	route('POST', `${participant}/transports/:transportId/connect`, async ({ params, body }): Promise<OkResponse> => {
		await media
			.session(params.sessionId!)
			.connectTransport(params.participantId!, params.transportId!, parse(connectTransportRequest, body));
		return ok;
	});
	route('POST', `${participant}/produce`, async ({ params, body }): Promise<ProduceResponse> => {
		const request = parse(produceRequest, body) as Parameters<ReturnType<MediaServer['session']>['produce']>[1];
		return { producerId: await media.session(params.sessionId!).produce(params.participantId!, request) };
	});
	route('POST', `${participant}/consume`, ({ params, body }): Promise<ConsumeResponse> => {
		const request = parse(consumeRequest, body) as Parameters<ReturnType<MediaServer['session']>['consume']>[1];
		return media.session(params.sessionId!).consume(params.participantId!, request);
	});
	route('POST', `${participant}/consumers/:consumerId/resume`, async ({ params }): Promise<OkResponse> => {
		await media.session(params.sessionId!).resumeConsumer(params.participantId!, params.consumerId!);
		return ok;
	});
	route('POST', `${participant}/producers/:producerId/pause`, async ({ params }): Promise<OkResponse> => {
		await media.session(params.sessionId!).pauseProducer(params.participantId!, params.producerId!);
		return ok;
	});
	route('POST', `${participant}/producers/:producerId/resume`, async ({ params }): Promise<OkResponse> => {
		await media.session(params.sessionId!).resumeProducer(params.participantId!, params.producerId!);
		return ok;
	});
	route('POST', `${participant}/producers/:producerId/close`, ({ params }): OkResponse => {
		media.session(params.sessionId!).closeProducer(params.participantId!, params.producerId!);
		return ok;
	});

	const expectedSecret = digest(secret);
	const server = http.createServer(async (req, res) => {
		try {
			if (!timingSafeEqual(digest(String(req.headers[SECRET_HEADER] ?? '')), expectedSecret))
				throw new SfuError(401, 'unauthorized', `missing or wrong ${SECRET_HEADER} header`);
			const url = new URL(req.url ?? '/', 'http://sfu');
			const segments = url.pathname
				.split('/')
				.filter(Boolean)
				.map((s) => decodeURIComponent(s));
			const candidates = routes.filter(
				(r) => r.segments.length === segments.length && r.segments.every((p, i) => p.startsWith(':') || p === segments[i]),
			);
			const matched = candidates.find((r) => r.method === req.method);
			if (!matched) {
				if (candidates.length > 0) throw new SfuError(405, 'invalid-request', `${req.method} is not allowed on ${url.pathname}`);
				throw new SfuError(404, 'not-found', `no such endpoint: ${req.method} ${url.pathname}`);
			}
			const params: Params = {};
			matched.segments.forEach((p, i) => {
				if (!p.startsWith(':')) return;
				const value = segments[i]!;
				if (!pathId.safeParse(value).success)
					throw new SfuError(400, 'invalid-request', `${p.slice(1)} '${value.slice(0, 64)}' is not a valid id`);
				params[p.slice(1)] = value;
			});
			const body = req.method === 'POST' ? await readJson(req) : undefined;
			const result = await matched.handler({ params, body, req, res });
			if (!res.headersSent) send(res, 200, result);
		} catch (error) {
			const sfuError = fromMediasoupError(error);
			if (sfuError.status >= 500) log.error('control request failed', { method: req.method, url: req.url, error: String(error) });
			if (!res.headersSent)
				send(res, sfuError.status, { error: { code: sfuError.code, message: sfuError.message } } satisfies SfuErrorBody);
		}
	});
	server.keepAliveTimeout = 65_000;
	return server;
}

function digest(value: string): Buffer {
	return createHash('sha256').update(value).digest();
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
	const json = JSON.stringify(body ?? null);
	res.writeHead(status, {
		'content-type': 'application/json; charset=utf-8',
		'content-length': Buffer.byteLength(json),
		'cache-control': 'no-store',
	});
	res.end(json);
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
	const result = schema.safeParse(body ?? {});
	if (result.success) return result.data;
	const problems = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
	throw new SfuError(400, 'invalid-request', problems);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req as AsyncIterable<Buffer>) {
		size += chunk.length;
		if (size > MAX_BODY_BYTES) throw new SfuError(413, 'invalid-request', `body larger than ${MAX_BODY_BYTES} bytes`);
		chunks.push(chunk);
	}
	const text = Buffer.concat(chunks).toString('utf8').trim();
	if (text === '') return undefined;
	try {
		return JSON.parse(text);
	} catch {
		throw new SfuError(400, 'bad-json', 'the body is not valid JSON');
	}
}

/**
 * `GET /events`: Server-Sent Events. First a `hello` (this process's instanceId: a new one means every
 * session's media is gone), then numbered events; a reconnect with Last-Event-ID gets what it missed.
 */
function streamEvents(media: MediaServer, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
	res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
	res.write(`retry: 2000\n\n`);
	const hello = { type: 'hello', instanceId: media.events.instanceId, startedAt: media.events.startedAt };
	res.write(`event: hello\ndata: ${JSON.stringify(hello)}\n\n`);
	const lastId = Number(req.headers['last-event-id']);
	const unsubscribe = media.events.subscribe(
		({ id, event }) => res.write(`id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`),
		Number.isFinite(lastId) && lastId > 0 ? lastId : Number.MAX_SAFE_INTEGER,
	);
	const heartbeat = setInterval(() => res.write(': ping\n\n'), 15_000);
	return new Promise((resolve) => {
		res.once('close', () => {
			clearInterval(heartbeat);
			unsubscribe();
			resolve();
		});
	});
}
