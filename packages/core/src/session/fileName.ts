// A file's name as the API takes it (SPEC §9, §11): composed (NFC) and trimmed here; whether it is a clean name
// (no path parts, no control characters, at most FILE_NAME_MAX code points) the rules say, refusing
// `invalidFileName` — so a name is refused the same way whoever offers it, and clearly.

import { z } from 'zod';
import { FILE_NAME_MAX, isWellFormedMediaType } from './fileNames.ts';

export { cleanFileName, FILE_NAME_MAX, fileNameProblem } from './fileNames.ts';

export const fileName = z
	.string()
	.max(FILE_NAME_MAX * 8) // before any work on it: no clean name is this long in any script
	.transform((typed) => typed.normalize('NFC').trim());

/**
 * A media type as a browser gives it (`File.type`): kept when it is a well-formed `type/subtype` (lower
 * case, without parameters), otherwise `application/octet-stream`. What is served is decided at download.
 */
export const mediaType = z
	.string()
	.max(255)
	.transform((typed) => {
		const bare = typed.split(';')[0]!.trim().toLowerCase();
		return isWellFormedMediaType(bare) ? bare : 'application/octet-stream';
	});
