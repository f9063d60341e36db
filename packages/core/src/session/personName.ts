// A person's name as others in a session see it (a customer's, a rep's): what they typed, in Unicode's
// composed form (NFC), trimmed, at most 80 characters counted as code points — and nothing that can make one
// name pass for another or break the line it is shown on: no control characters (CR, LF, ESC…), no
// direction overrides or isolates (U+202A–202E, U+2066–2069, LRM/RLM/ALM), no invisible format characters.
// The joiners that emoji and some scripts need (ZWNJ, ZWJ) and emoji tag sequences stay.

import { z } from 'zod';

export const NAME_MAX_CODE_POINTS = 80;

const FORBIDDEN = /[\p{Cc}\p{Zl}\p{Zp}]|(?![\u200c\u200d\u{e0020}-\u{e007f}])\p{Cf}/u;

/** Why a typed name cannot be shown, or null when it can (after `normalName`). */
export function nameProblem(name: string): 'empty' | 'tooLong' | 'forbiddenCharacter' | null {
	if (name.length === 0) return 'empty';
	if ([...name].length > NAME_MAX_CODE_POINTS) return 'tooLong';
	if (FORBIDDEN.test(name)) return 'forbiddenCharacter';
	return null;
}

export const normalName = (typed: string): string => typed.normalize('NFC').trim();

/** The input schema of every name a person types. */
export const personName = z
	.string()
	.max(NAME_MAX_CODE_POINTS * 8) // before any work on it: a name is never this long in any script
	.transform(normalName)
	.superRefine((name, ctx) => {
		const problem = nameProblem(name);
		// The bound goes with the issue: the form that refused it says how long a name may be (inputIssue.ts).
		if (problem) ctx.addIssue({ code: 'custom', message: problem, params: { maximum: NAME_MAX_CODE_POINTS } });
	});
