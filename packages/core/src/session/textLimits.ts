// How long the texts people write for each other may be, counted as a person counts characters: code points
// after NFC (an emoji is one; HTML maxlength counts UTF-16 units). The pages' "n / max" counters and the
// server's checks both count with this, so they never disagree. No zod here: the pages import it.

/** How many characters a person sees: code points after NFC (an emoji is one). */
export const codePoints = (text: string): number => [...text.normalize('NFC')].length;

/** A Get help problem (SPEC §8). */
export const PROBLEM_MAX = 500;
/** A chat message (SPEC §9). */
export const CHAT_MAX = 2000;
/** A post-session survey's comment (SPEC §10). */
export const SURVEY_COMMENT_MAX = 1000;
/** A transfer's personal message (SPEC §7). */
export const MESSAGE_MAX = 345;
