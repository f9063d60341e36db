// A refused call, said in the rep's language: the server sends a code, the catalog has its words.

import { TRPCClientError } from '@trpc/client';
import { m } from '../paraglide/messages.js';

type MessageFn = () => string;

export function errorText(error: unknown): string {
	if (error instanceof TRPCClientError) {
		const data = error.data as { tandemCode?: string | null } | undefined;
		const code = data?.tandemCode;
		if (code) {
			const key = `err_${code.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
			const message = (m as unknown as Record<string, MessageFn | undefined>)[key];
			if (message) return message();
		}
		if (!data) return m.err_offline();
	}
	return m.err_unknown();
}
