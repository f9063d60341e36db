// What a client learns of an input zod refused, field by field, to mark the field and word the problem in the
// user's language: where (the input's path), what kind of problem (zod's code; a person's name says which in
// `message`, personName.ts), and the bounds a length or a number had to keep. Never a value that was sent.

import type { z } from 'zod';

export interface InputIssue {
	/** The field, as the procedure's input names it ("name", "email", "maxCustomers", "members.0"). */
	path: string;
	/** zod's issue code: "too_small", "too_big", "invalid_format", "custom"… */
	code: string;
	/** zod's words (English, for logs), or a name's problem code ("empty", "tooLong", "forbiddenCharacter"). */
	message: string;
	minimum?: number;
	maximum?: number;
	/** For "invalid_format": which format ("email", "url", "uuid"…). */
	format?: string;
}

export function inputIssues(error: z.ZodError): InputIssue[] {
	return error.issues.map((i) => ({
		path: i.path.join('.'),
		code: i.code,
		message: i.message,
		...('minimum' in i ? { minimum: Number(i.minimum) } : {}),
		...('maximum' in i ? { maximum: Number(i.maximum) } : {}),
		...(i.code === 'custom' && typeof i.params?.maximum === 'number' ? { maximum: i.params.maximum } : {}),
		...('format' in i && typeof i.format === 'string' ? { format: i.format } : {}),
	}));
}
