// The post-session survey's answer (SPEC §10) as the API takes it: a whole rating of 1–5 and an optional
// comment of at most 1,000 characters (code points). The session rules check the same and say who may.

import { z } from 'zod';
import { freeText } from '../session/freeText.ts';
import { SURVEY_COMMENT_MAX } from '../session/textLimits.ts';

export const surveyAnswer = z.object({
	rating: z.number().int().min(1).max(5),
	comment: freeText(SURVEY_COMMENT_MAX).default(''),
});
