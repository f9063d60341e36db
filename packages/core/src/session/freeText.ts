// Text a person writes for someone else to read (a Get help problem, a transfer's personal message — SPEC
// §7, §8, §11): composed form (NFC), trimmed, at most `max` characters counted as code points — the same
// count the page's "n / max" counter shows — with line breaks and tabs allowed but no other control
// characters and no direction overrides (text that reads differently from what it is).

import { z } from 'zod';
import { codePoints } from './textLimits.ts';

export { codePoints, CHAT_MAX, MESSAGE_MAX, PROBLEM_MAX } from './textLimits.ts';

const FORBIDDEN = /(?![\n\t])[\p{Cc}]|[\u202a-\u202e\u2066-\u2069]/u;

export const freeText = (max: number) =>
	z
		.string()
		.max(max * 8)
		.transform((typed) => typed.normalize('NFC').replace(/\r\n?/g, '\n').trim())
		.superRefine((text, ctx) => {
			if (codePoints(text) > max) ctx.addIssue({ code: 'custom', message: 'tooLong' });
			else if (FORBIDDEN.test(text)) ctx.addIssue({ code: 'custom', message: 'forbiddenCharacter' });
		});
