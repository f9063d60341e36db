// A refused call, said in the rep's language: the server sends a code (and the values its message
// needs, e.g. how long to wait), the catalog has its words.

import { TRPCClientError } from '@trpc/client';
import type { ErrorCode, InputIssue, Range } from '@tandem/core/client';
import { m } from '../paraglide/messages.js';

type MessageFn = (inputs?: Record<string, unknown>) => string;

interface ErrorData {
	tandemCode?: ErrorCode | null;
	issues?: InputIssue[];
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

/** A form's fields, by the names the server's input gives them: what the form calls them, and a number's range. */
export type FormFields = Record<string, { label: string; range?: Range }>;

/** A refusal as a form shows it: the words, and the field they are about (to mark it and move the focus there). */
export interface FormError {
	text: string;
	field: string | null;
}

/** Refusals about one field, whichever procedure refused. */
const fieldOfRefusal: Partial<Record<ErrorCode, string>> = { emailTaken: 'email', invalidEmail: 'email', nameRequired: 'name' };

export function formError(error: unknown, fields: FormFields): FormError {
	if (error instanceof TRPCClientError) {
		const data = error.data as ErrorData | undefined;
		const issue = data?.tandemCode === 'invalidInput' ? data.issues?.find((i) => fields[i.path]) : undefined;
		if (issue) return { text: issueText(issue, fields[issue.path]!), field: issue.path };
		const field = data?.tandemCode ? fieldOfRefusal[data.tandemCode] : undefined;
		if (field && fields[field]) return { text: errorText(error), field };
	}
	return { text: errorText(error), field: null };
}

function issueText(issue: InputIssue, { label: field, range }: FormFields[string]): string {
	if (range) return m.err_out_of_range({ field, min: range.min, max: range.max });
	if (issue.message === 'empty' || (issue.code === 'too_small' && (issue.minimum ?? 0) <= 1)) return m.err_field_required({ field });
	if (issue.message === 'tooLong' || issue.code === 'too_big') return m.err_field_too_long({ field, max: issue.maximum ?? 0 });
	if (issue.code === 'too_small') return m.err_field_too_short({ field, min: issue.minimum ?? 0 });
	if (issue.message === 'forbiddenCharacter') return m.err_field_characters({ field });
	if (issue.code === 'invalid_format' && issue.format === 'email') return m.err_invalid_email();
	return m.err_field_invalid({ field });
}
