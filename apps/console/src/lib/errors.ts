// A refused call, said in the rep's language: the server sends a code (and the values its message
// needs, e.g. how long to wait), the catalog has its words.

import { TRPCClientError } from '@trpc/client';
import type { Range } from '@tandem/core/client';
import { m } from '../paraglide/messages.js';

type MessageFn = (inputs?: Record<string, unknown>) => string;

interface ErrorData {
	tandemCode?: string | null;
	issues?: { path: string; message: string }[];
	params?: Record<string, string | number>;
}

export function errorText(error: unknown): string {
	if (error instanceof TRPCClientError) {
		const data = error.data as ErrorData | undefined;
		const code = data?.tandemCode;
		if (code) {
			const key = `err_${code.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
			const message = (m as unknown as Record<string, MessageFn | undefined>)[key];
			if (message) return message(data.params ?? {});
		}
		if (!data) return m.err_offline();
	}
	return m.err_unknown();
}

/** A form's fields that take numbers: a refused value is named with its range. */
export type NumberFields = Record<string, { label: string; range: Range }>;

export function formErrorText(error: unknown, fields: NumberFields): string {
	if (error instanceof TRPCClientError) {
		const data = error.data as ErrorData | undefined;
		const path = data?.tandemCode === 'invalidInput' ? data.issues?.[0]?.path : undefined;
		const field = path ? fields[path] : undefined;
		if (field) return m.err_out_of_range({ field: field.label, min: field.range.min, max: field.range.max });
	}
	return errorText(error);
}
