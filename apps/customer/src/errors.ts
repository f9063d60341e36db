// A refused or failed call → one message in the user's language. Codes are mapped explicitly (never by
// indexing `m`), so only these messages end up in the bundle; codes only one lazily loaded page can meet
// are mapped by that page (`pageCodes`), so their messages load with it.
import { TRPCClientError } from '@trpc/client';
import { m } from './paraglide/messages.js';

interface ErrorData {
	tandemCode?: string | null;
	issues?: { path: string; message: string }[];
	params?: Record<string, string | number>;
}

/** Which form field an error is about, so the page can mark and focus it. */
export type Field = 'number' | 'name' | null;

export function describeError(err: unknown, pageCodes: Record<string, () => string> = {}): { text: string; field: Field } {
	if (!(err instanceof TRPCClientError)) return { text: m.err_unknown(), field: null };
	const data = err.data as ErrorData | undefined;
	// No error body at all: the request never reached the API (offline, server down, proxy error).
	if (!data) return { text: m.err_offline(), field: null };
	const pageMessage = data.tandemCode ? pageCodes[data.tandemCode] : undefined;
	if (pageMessage) return { text: pageMessage(), field: null };
	switch (data.tandemCode) {
		case 'sessionNotFound':
			return { text: m.err_session_not_found(), field: 'number' };
		case 'tooManyWrongNumbers':
			return { text: m.err_too_many_wrong_numbers({ seconds: Number(data.params?.seconds ?? 1) }), field: 'number' };
		case 'invalidSessionNumber':
			return { text: m.err_invalid_session_number(), field: 'number' };
		case 'sessionEnded':
			return { text: m.err_session_ended(), field: 'number' };
		case 'sessionWaiting':
			return { text: m.err_session_waiting(), field: null };
		case 'nameRequired':
			return { text: m.err_name_required(), field: 'name' };
		case 'customerLimitReached':
			return { text: m.err_customer_limit_reached(), field: null };
		case 'alreadyInSession':
			return { text: m.err_already_in_session(), field: null };
		case 'invalidInput': {
			const path = data.issues?.[0]?.path;
			// A page may say what a wrong value of one of its own fields means (`invalidInput.<field>`).
			const own = path ? pageCodes[`invalidInput.${path}`] : undefined;
			if (own) return { text: own(), field: null };
			if (path === 'name') return { text: m.err_name_required(), field: 'name' };
			if (path === 'number') return { text: m.err_invalid_session_number(), field: 'number' };
			return { text: m.err_invalid_input(), field: null };
		}
		default:
			return { text: m.err_unknown(), field: null };
	}
}
