// File transfer (SPEC §9) as the API and the console's routes ask for it. A file is first offered through
// the session rules (files.offer gives its id); its bytes then come by the tus resumable-upload protocol
// to /console/api/files, the upload's id being the file's id; the receiver accepts, and downloads them from
// /console/api/files/<id>/content once complete. Every upload request — create, HEAD, PATCH, DELETE — is
// authorised from its cookies by the same rules (`uploadFile`: only the file's sender, while the session is
// live and the transfer neither cancelled nor expired, exactly the offered size within the site's limit)
// before tus sees it, so a refused request stores nothing. The SHA-256 is computed as the bytes arrive
// (hashingFileStore.ts); progress goes to the sender and recipients over the bus. Removing the bytes of a
// cancelled transfer is the files effect's (filesEffect.ts): durable, on one node.

import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { Database } from '@tandem/db';
import { ERRORS, Metadata, Server, type Upload } from '@tus/server';
import type { RepRow } from '../auth/repAccounts.ts';
import type { Bus } from '../feed/bus.ts';
import { byteRange } from '../http/byteRange.ts';
import { TandemError, type ErrorCode } from '../refusal.ts';
import { tookPart } from '../reports/reportAccess.ts';
import { readSiteSettings } from '../service/repLoad.ts';
import type { ActorRef, SessionService } from '../service/sessionService.ts';
import { sessionOfFile } from '../service/sessionStore.ts';
import type { Viewer } from '../session/capabilities.ts';
import { fileIn } from '../session/decide.ts';
import { hasAccepted, partIn } from '../session/fileAccess.ts';
import { fileSizeLimitBytes } from '../session/fileNames.ts';
import type { FileRecord, ParticipantId, SessionState } from '../session/model.ts';
import type { Clock } from '../time/clock.ts';
import type { Timers } from '../timers/timers.ts';
import { contentDisposition, servedType } from './downloadHeaders.ts';
import { FILES_PATH, uploadUrlOf } from './fileAddresses.ts';
import { HashingFileStore } from './hashingFileStore.ts';

/** The timer that removes a complete file's bytes when its retention period is over. */
export const RETENTION_TIMER = 'file.expire';

/** What a retention timer carries. */
const retentionTimer = z.object({ sessionId: z.uuid(), fileId: z.uuid() });

/** How often (at most) a file's progress is told to its sender and recipients. */
const PROGRESS_EVERY_MS = 250;

/** Who calls, as the console's routes know them (from the request's cookies: createContext). */
export interface FileCaller {
	rep: RepRow | null;
	customerToken: string | null;
}

export interface FileTransfersDeps {
	db: Database;
	sessions: SessionService;
	bus: Bus;
	timers: Timers;
	clock: Clock;
	/** Where uploads are stored (`<data dir>/files`); with several nodes, a folder they share. */
	filesDir: string;
}

/** What an upload request found out before tus took it: who sends which file of which session. */
interface UploadRequest {
	sessionId: string;
	actor: ActorRef;
	fileSizeLimit: number;
}

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id);

/** The HTTP status of each refusal an upload or download can meet; anything else is a bad request. */
const statusOf: Partial<Record<ErrorCode, number>> = {
	notSignedIn: 401,
	notInSession: 403,
	notFileSender: 403,
	notFileRecipient: 403,
	fileNotAccepted: 403,
	assistantsCannotDoThat: 403,
	forbidden: 403,
	sessionWaiting: 403,
	fileNotFound: 404,
	sessionNotFound: 404,
	fileNotComplete: 409,
	// tus clients resume after a 409 (they ask where the upload is): only for the offset.
	uploadOffsetMismatch: 409,
	sessionEnded: 410,
	fileCancelled: 410,
	fileExpired: 410,
	fileTooLarge: 413,
	uploadFailed: 500,
};

/** tus's own refusals, as Tandem's codes (the page words them; tus's English never reaches it). */
function codeOfTusError(error: unknown): ErrorCode {
	if (error instanceof TandemError) return error.code;
	const { status_code: status, body } = (error ?? {}) as { status_code?: unknown; body?: unknown };
	// tus throws its ERRORS objects, and errors of its own classes carrying the same status and body.
	if (status === ERRORS.INVALID_OFFSET.status_code) return 'uploadOffsetMismatch';
	if (status === 413) return 'fileTooLarge';
	if (status === 404 || status === 410) return 'fileNotFound';
	if (body === ERRORS.INVALID_LENGTH.body) return 'fileSizeMismatch';
	if (typeof status === 'number' && status < 500) return 'invalidInput';
	console.error('file upload failed', error);
	return 'uploadFailed';
}

/** A refused request: its code as the body (the page looks it up in its messages). */
function refused(code: ErrorCode, headers: HeadersInit = {}): Response {
	return new Response(code, {
		status: statusOf[code] ?? 400,
		headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers },
	});
}

const TUS = { 'tus-resumable': '1.0.0' };

export class FileTransfers {
	readonly store: HashingFileStore;
	readonly #deps: FileTransfersDeps;
	readonly #tus: Server;
	/** What each upload request in progress found out, for tus's hooks (the same Request object reaches them). */
	readonly #requests = new WeakMap<Request, UploadRequest>();
	/** Who hears of each upload's progress on this node, and when they last did. */
	readonly #audience = new Map<string, { sessionId: string; size: number; participantIds: string[]; repIds: string[]; toldAt: number }>();
	/** Uploads in progress on this node: a cancel breaks them off at once. */
	readonly #inFlight = new Map<string, AbortController>();
	readonly #stopFollowing: () => void;

	constructor(deps: FileTransfersDeps) {
		this.#deps = deps;
		this.store = new HashingFileStore({ directory: deps.filesDir, stored: (id, offset) => this.#progress(id, offset, false) });
		this.#tus = new Server({
			path: FILES_PATH,
			datastore: this.store,
			relativeLocation: true,
			// The id of an upload is the id of the file offered (checked before tus sees the request).
			namingFunction: (_req, metadata) => metadata?.fileId ?? '',
			maxSize: (req) => this.#requests.get(req)?.fileSizeLimit ?? 0,
			// Created only now, by the rules: the sender's upload of an offered file begins.
			onUploadCreate: async (req, upload) => {
				const request = this.#requests.get(req);
				if (!request) throw ERRORS.FILE_NOT_FOUND;
				// A refusal (a TandemError) is answered by onResponseError with its code.
				await this.#deps.sessions.command(request.sessionId, request.actor, {
					type: 'uploadFile',
					fileId: upload.id,
					length: upload.size ?? -1,
				});
				return {};
			},
			onUploadFinish: async (req, upload) => {
				const request = this.#requests.get(req);
				if (!request) throw ERRORS.FILE_NOT_FOUND;
				await this.#finish(request.sessionId, upload);
				return {};
			},
			onResponseError: (_req, error) => {
				const code = codeOfTusError(error);
				return { status_code: statusOf[code] ?? 400, body: code };
			},
		});
		deps.timers.on(RETENTION_TIMER, async (payload) => {
			const { sessionId, fileId } = retentionTimer.parse(payload);
			await this.expire(sessionId, fileId);
		});
		// A transfer cancelled while its bytes come in on this node: break the upload off now.
		this.#stopFollowing = deps.bus.subscribe((change) => {
			for (const { event } of change.events) {
				if (event.type === 'file.cancelled') this.#inFlight.get(event.fileId)?.abort();
			}
		});
	}

	// ---------------------------------------------------------------- commands (files.* procedures)

	/** Send file: offers it through the rules; its bytes follow by upload to `uploadUrl`. */
	async offer(
		sessionId: string,
		actor: ActorRef,
		what: { to: ParticipantId | 'everyCustomer' | null; name: string; size: number; mediaType: string },
	): Promise<{ fileId: string; uploadUrl: string }> {
		const fileId = randomUUID();
		await this.#deps.sessions.command(sessionId, actor, { type: 'offerFile', fileId, ...what });
		return { fileId, uploadUrl: uploadUrlOf(fileId) };
	}

	async accept(sessionId: string, actor: ActorRef, fileId: string): Promise<void> {
		await this.#deps.sessions.command(sessionId, actor, { type: 'acceptFile', fileId });
	}

	/** Cancels a transfer in flight; its partial bytes are removed by the files effect. */
	async cancel(sessionId: string, actor: ActorRef, fileId: string): Promise<void> {
		await this.#deps.sessions.command(sessionId, actor, { type: 'cancelFile', fileId });
	}

	// ---------------------------------------------------------------- uploads (tus)

	/** One tus request (POST, HEAD, PATCH, DELETE, OPTIONS) from the console's route. */
	async handleTus(request: Request, caller: FileCaller): Promise<Response> {
		if (request.method === 'OPTIONS') return this.#tus.handleWeb(request);
		if (!['POST', 'HEAD', 'PATCH', 'DELETE'].includes(request.method)) return refused('invalidInput', TUS);
		const fileId = request.method === 'POST' ? fileIdOfMetadata(request.headers.get('upload-metadata')) : fileIdOfUrl(request.url);
		const sessionId = fileId ? await sessionOfFile(this.#deps.db, fileId) : null;
		if (!fileId || !sessionId) return refused('fileNotFound', TUS);
		const actor = await this.#actorOf(caller);
		try {
			if (request.method === 'DELETE') {
				// tus termination is Cancel: the rules say who may; the effect removes the bytes.
				await this.cancel(sessionId, actor, fileId);
				return new Response(null, { status: 204, headers: TUS });
			}
			// Asked of the rules before tus sees it, changing nothing: may this caller upload this file now?
			// A create without a length (or a deferred one) is refused: the size was offered.
			const length = request.method === 'POST' ? (uploadLengthOf(request) ?? -1) : null;
			await this.#deps.sessions.check(sessionId, actor, { type: 'uploadFile', fileId, length });
		} catch (error) {
			if (error instanceof TandemError) return refused(error.code, TUS);
			throw error;
		}
		const fileSizeLimit = fileSizeLimitBytes((await readSiteSettings(this.#deps.db)).fileSizeLimitMb);
		const state = await this.#deps.sessions.state(sessionId);
		const file = state && fileIn(state, fileId);
		if (!state || !file) return refused('fileNotFound', TUS);
		this.#listen(state, file);

		const stop = new AbortController();
		const forwarded = request.method === 'PATCH' ? breakable(request, stop.signal) : request;
		if (request.method === 'PATCH') this.#inFlight.set(fileId, stop);
		this.#requests.set(forwarded, { sessionId, actor, fileSizeLimit });
		let response: Response;
		try {
			response = await this.#tus.handleWeb(forwarded);
		} finally {
			if (this.#inFlight.get(fileId) === stop) this.#inFlight.delete(fileId);
		}
		if (request.method === 'HEAD') return response;
		// Cancelled while this request wrote (here or on another node): nothing of it may stay.
		const now = await this.#deps.sessions.state(sessionId);
		const status = now && fileIn(now, fileId)?.status;
		if (status === 'cancelled' || status === 'expired') {
			await this.store.discard(fileId);
			return response.ok ? response : refused(status === 'expired' ? 'fileExpired' : 'fileCancelled', TUS);
		}
		return response;
	}

	/** Every byte is there: its SHA-256 is recorded by the rules, and everyone concerned hears of it. */
	async #finish(sessionId: string, upload: Upload): Promise<void> {
		const size = upload.size ?? upload.offset;
		const sha256 = await this.store.digest(upload.id, size);
		try {
			await this.#deps.sessions.command(sessionId, { kind: 'system' }, { type: 'fileUploaded', fileId: upload.id, size, sha256 });
		} catch (error) {
			// Cancelled while its last bytes came: they go.
			await this.store.discard(upload.id);
			throw error;
		}
		this.#progress(upload.id, size, true);
	}

	/** The sender and recipients of an upload: they hear of its progress. */
	#listen(state: SessionState, file: FileRecord): void {
		const parties = [file.sender, ...file.recipients];
		const known = this.#audience.get(file.id);
		this.#audience.set(file.id, {
			sessionId: state.id,
			size: file.size,
			participantIds: parties.map((p) => p.participantId),
			repIds: parties.flatMap((p) => (p.repId ? [p.repId] : [])),
			toldAt: known?.toldAt ?? Number.NEGATIVE_INFINITY,
		});
	}

	#progress(fileId: string, bytes: number, last: boolean): void {
		const audience = this.#audience.get(fileId);
		if (!audience) return;
		const now = this.#deps.clock.now();
		if (!last && now - audience.toldAt < PROGRESS_EVERY_MS) return;
		audience.toldAt = now;
		if (last) this.#audience.delete(fileId);
		const { sessionId, size, participantIds, repIds } = audience;
		this.#deps.bus.publishFileProgress({ sessionId, fileId, bytes, size, participantIds, repIds });
	}

	// ---------------------------------------------------------------- downloads

	/**
	 * GET or HEAD /console/api/files/<id>/content: the bytes of a complete file, to its sender, a recipient who
	 * accepted it, and after the session's end to reps who took part in it and administrators (who may see its
	 * report, SPEC §10). As an attachment, never sniffed, with Range.
	 */
	async download(request: Request, caller: FileCaller, fileId: string): Promise<Response> {
		const sessionId = isUuid(fileId) ? await sessionOfFile(this.#deps.db, fileId) : null;
		const state = sessionId ? await this.#deps.sessions.state(sessionId) : null;
		const file = state && fileIn(state, fileId);
		if (!state || !file) return refused('fileNotFound');
		const refusal = await this.#downloadRefusal(state, file, caller);
		if (refusal) return refused(refusal);
		const path = this.store.pathOf(file.id);
		const info = await stat(path).catch(() => null);
		if (!info?.isFile() || info.size !== file.size) return refused('fileNotFound');

		const headers = new Headers({
			'content-type': servedType(file.mediaType),
			'content-disposition': contentDisposition(file.name),
			'x-content-type-options': 'nosniff',
			'cache-control': 'private, no-store',
			'accept-ranges': 'bytes',
			etag: `"${file.sha256}"`,
			// RFC 9530: the whole file's SHA-256, whichever range is sent.
			'repr-digest': `sha-256=:${Buffer.from(file.sha256 ?? '', 'hex').toString('base64')}:`,
		});
		const ifRange = request.headers.get('if-range');
		const range = ifRange && ifRange !== headers.get('etag') ? null : byteRange(request.headers.get('range'), info.size);
		if (range === 'unsatisfiable') {
			headers.set('content-range', `bytes */${info.size}`);
			return new Response(null, { status: 416, headers });
		}
		const { start, end } = range ?? { start: 0, end: info.size - 1 };
		headers.set('content-length', String(end - start + 1));
		if (range) headers.set('content-range', `bytes ${start}-${end}/${info.size}`);
		const body = request.method === 'HEAD' ? null : (Readable.toWeb(createReadStream(path, { start, end })) as ReadableStream<Uint8Array>);
		return new Response(body, { status: range ? 206 : 200, headers });
	}

	/** Why the caller may not download the file now, or null. Who they are is asked before what the file is. */
	async #downloadRefusal(state: SessionState, file: FileRecord, caller: FileCaller): Promise<ErrorCode | null> {
		const viewer = await this.#viewerOf(caller);
		if (!viewer) return 'notSignedIn';
		const part = partIn(file, viewer);
		const mayByPart = part === 'sender' || (part === 'recipient' && hasAccepted(file, viewer));
		const mayByReport =
			state.status === 'ended' && !!caller.rep && (caller.rep.isAdmin || (await tookPart(this.#deps.db, caller.rep.id, state.id)));
		if (!mayByPart && !mayByReport) {
			if (part === 'recipient') return 'fileNotAccepted';
			const present =
				viewer.kind === 'rep'
					? await tookPart(this.#deps.db, viewer.repId, state.id)
					: state.participants.some((p) => p.id === viewer.participantId);
			return present ? 'notFileRecipient' : 'notInSession';
		}
		if (file.status === 'cancelled') return 'fileCancelled';
		if (file.status === 'expired') return 'fileExpired';
		if (file.status !== 'complete') return 'fileNotComplete';
		return null;
	}

	async #viewerOf(caller: FileCaller): Promise<Viewer | null> {
		if (caller.rep) return { kind: 'rep', repId: caller.rep.id };
		const customer = caller.customerToken ? await this.#deps.sessions.customerFromToken(caller.customerToken) : null;
		return customer ? { kind: 'customer', participantId: customer.participantId } : null;
	}

	/** The caller as the rules know them: a customer of another session is someone not in this one, not nobody. */
	async #actorOf(caller: FileCaller): Promise<ActorRef> {
		if (caller.rep) return { kind: 'rep', repId: caller.rep.id };
		const customer = caller.customerToken ? await this.#deps.sessions.customerFromToken(caller.customerToken) : null;
		return customer ? { kind: 'customer', participantId: customer.participantId } : { kind: 'anonymous' };
	}

	// ---------------------------------------------------------------- retention

	/** The retention period of a file is over: its bytes go, and the rules record it (downloads then say so). */
	async expire(sessionId: string, fileId: string): Promise<void> {
		await this.store.discard(fileId);
		await this.#deps.sessions.command(sessionId, { kind: 'system' }, { type: 'expireFile', fileId });
	}

	/** Arms a complete file's retention timer: `days` after it arrived (fires once, on one node). */
	async keepUntil(sessionId: string, fileId: string, arrivedAt: number): Promise<void> {
		const days = (await readSiteSettings(this.#deps.db)).fileRetentionDays;
		await this.#deps.timers.schedule(`file:${fileId}`, RETENTION_TIMER, { sessionId, fileId }, arrivedAt + days * 86_400_000);
	}

	close(): void {
		this.#stopFollowing();
		for (const stop of this.#inFlight.values()) stop.abort();
	}
}

/** A PATCH whose body breaks off the moment `stop` fires (its transfer was cancelled). */
function breakable(request: Request, stop: AbortSignal): Request {
	const body = request.body?.pipeThrough(
		new TransformStream<Uint8Array, Uint8Array>({
			start(controller) {
				stop.addEventListener('abort', () => controller.error(new TandemError('fileCancelled')), { once: true });
			},
		}),
	);
	// A streamed body must say it is sent half-duplex (fetch's rule); TypeScript's RequestInit lacks the field.
	return new Request(request.url, { method: request.method, headers: request.headers, body: body ?? null, duplex: 'half' } as RequestInit);
}

/** The file id a tus create request names in its Upload-Metadata (`fileId <base64>`). */
function fileIdOfMetadata(header: string | null): string | null {
	try {
		const id = Metadata.parse(header ?? undefined).fileId ?? null;
		return id && isUuid(id) ? id : null;
	} catch {
		return null;
	}
}

function fileIdOfUrl(url: string): string | null {
	const last = new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? '';
	return isUuid(last) ? last : null;
}

/** Upload-Length as a whole number of bytes; a missing or deferred length is none (refused: the size was offered). */
function uploadLengthOf(request: Request): number | null {
	const header = request.headers.get('upload-length');
	return header !== null && /^\d{1,16}$/.test(header) ? Number(header) : null;
}
