// A recording's files over HTTP, for the console's player and the Export download:
// /console/api/recordings/<recordingId>/<file>. Core says whether the signed-in rep may read it and
// which file it is (only a track named in the manifest, or export.webm); Range requests seek.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { TandemError } from '@tandem/core';
import { byteRange } from '@tandem/core/server';
import { getTandem } from '#lib/server/tandem.ts';
import type { RequestHandler } from './$types';

const statusOf: Record<string, number> = {
	notSignedIn: 401,
	notInSession: 403,
	forbidden: 403,
	sessionNotFound: 404,
	recordingNotFound: 404,
};

const refused = (status: number, text: string) =>
	new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });

const serve =
	(withBody: boolean): RequestHandler =>
	async ({ request, params, url, getClientAddress }) => {
		const tandem = await getTandem();
		const ctx = await tandem.createContext({ req: request, resHeaders: new Headers(), clientAddress: getClientAddress() });
		let file: { path: string; contentType: string };
		try {
			file = await tandem.services.recordings.file(ctx.rep, params.recordingId, params.file);
		} catch (error) {
			if (error instanceof TandemError) return refused(statusOf[error.code] ?? 400, error.message);
			throw error;
		}
		const info = await stat(file.path).catch(() => null);
		if (!info?.isFile()) return refused(404, 'not there (yet)');

		const headers = new Headers({
			'content-type': file.contentType,
			'accept-ranges': 'bytes',
			'cache-control': 'private, no-cache',
			'last-modified': info.mtime.toUTCString(),
			'x-content-type-options': 'nosniff',
		});
		if (url.searchParams.has('download')) {
			headers.set(
				'content-disposition',
				`attachment; filename="recording-${params.recordingId}${params.file === 'export.webm' ? '' : `-${params.file.replace(/\.webm$/, '')}`}.webm"`,
			);
		}
		const range = byteRange(request.headers.get('range'), info.size);
		if (range === 'unsatisfiable') {
			headers.set('content-range', `bytes */${info.size}`);
			return new Response(null, { status: 416, headers });
		}
		const { start, end } = range ?? { start: 0, end: info.size - 1 };
		headers.set('content-length', String(Math.max(0, end - start + 1)));
		if (range) headers.set('content-range', `bytes ${start}-${end}/${info.size}`);
		const body =
			withBody && info.size > 0 ? (Readable.toWeb(createReadStream(file.path, { start, end })) as ReadableStream<Uint8Array>) : null;
		return new Response(body, { status: range ? 206 : 200, headers });
	};

export const GET = serve(true);
export const HEAD = serve(false);
