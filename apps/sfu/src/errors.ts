import type { SfuErrorCode } from '@tandem/sfu-contract';

/** A refusal the control API answers with `{ error: { code, message } }` and the given HTTP status. */
export class SfuError extends Error {
	readonly status: number;
	readonly code: SfuErrorCode;
	constructor(status: number, code: SfuErrorCode, message: string) {
		super(message);
		this.name = 'SfuError';
		this.status = status;
		this.code = code;
	}
}

export const notFound = (what: string, id: string) => new SfuError(404, 'not-found', `${what} ${id} not found`);
export const forbidden = (message: string) => new SfuError(403, 'forbidden', message);
export const badRequest = (code: SfuErrorCode, message: string) => new SfuError(400, code, message);

/** mediasoup throws TypeError for bad parameters, UnsupportedError for codecs, InvalidStateError on closed objects. */
export function fromMediasoupError(error: unknown): SfuError {
	if (error instanceof SfuError) return error;
	const e = error instanceof Error ? error : new Error(String(error));
	if (e.name === 'UnsupportedError') return badRequest('unsupported-codec', e.message);
	if (e.name === 'TypeError') return badRequest('invalid-request', e.message);
	if (e.name === 'InvalidStateError') return new SfuError(409, 'conflict', e.message);
	return new SfuError(500, 'internal', e.message);
}
