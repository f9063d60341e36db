// The console's file routes (SPEC §9) are thin shells: each request goes to core with who sent it (its cookies).
import type { RequestEvent } from '@sveltejs/kit';
import { getTandem } from './tandem.ts';

/** An upload request (tus: POST, HEAD, PATCH, DELETE, OPTIONS): core authorises it and does the rest. */
export async function tus({ request, getClientAddress }: RequestEvent): Promise<Response> {
	const tandem = await getTandem();
	const ctx = await tandem.createContext({ req: request, resHeaders: new Headers(), clientAddress: getClientAddress() });
	return tandem.services.files.handleTus(request, ctx);
}

/** A download of a file's bytes (GET, HEAD; Range): core says who may and serves it. */
export async function download({ request, params, getClientAddress }: RequestEvent): Promise<Response> {
	const tandem = await getTandem();
	const ctx = await tandem.createContext({ req: request, resHeaders: new Headers(), clientAddress: getClientAddress() });
	return tandem.services.files.download(request, ctx, params.fileId ?? '');
}
