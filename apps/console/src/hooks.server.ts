// Boot: Tandem's services open when the server starts, not at the first request — so that after a
// restart the lifeline's grace periods count from boot, and the effects resume from their cursors.
import type { ServerInit } from '@sveltejs/kit/hooks';
import { getTandem } from '#lib/server/tandem.ts';

export const init: ServerInit = async () => {
	// A start that fails (the database down) is logged and tried again at the next request.
	await getTandem().catch((error: unknown) => console.error('Tandem could not start:', error instanceof Error ? error.message : error));
};
