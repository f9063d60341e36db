// A file's name as both sides of a transfer see it and as it is stored (SPEC §9, §11): in Unicode's composed
// form (NFC), no path parts (a name never says where to put it), no control, format or direction-override
// characters (they hide what a name is: "invoice\u202Efdp.exe"), at most FILE_NAME_MAX code points. The page
// cleans the name of a picked file with `cleanFileName` before offering it; the server refuses any name that
// is not already clean (`fileNameProblem`), so what is stored and shown is exactly what the sender saw.
// No zod here: the pages import it.

/** The longest file name, in code points after NFC (common file systems allow 255). */
export const FILE_NAME_MAX = 255;

/** What a cleaned name is called when nothing of the original is left. */
const FALLBACK = 'file';

// Controls (NUL, CR, LF, ESC…), line and paragraph separators, and invisible format characters other than
// the joiners that emoji and some scripts need (ZWNJ, ZWJ) — the same set as people's names refuse.
const FORBIDDEN = /[\p{Cc}\p{Zl}\p{Zp}]|(?![\u200c\u200d])\p{Cf}/u;
const FORBIDDEN_ALL = /[\p{Cc}\p{Zl}\p{Zp}]|(?![\u200c\u200d])\p{Cf}/gu;

export type FileNameProblem = 'empty' | 'tooLong' | 'pathPart' | 'forbiddenCharacter';

/** Why a name cannot be a file's name as it is, or null when it can (it is NFC and trimmed already). */
export function fileNameProblem(name: string): FileNameProblem | null {
	if (name.length === 0) return 'empty';
	if (name !== name.normalize('NFC').trim()) return 'forbiddenCharacter';
	if ([...name].length > FILE_NAME_MAX) return 'tooLong';
	if (/[/\\]/.test(name) || name === '.' || name === '..') return 'pathPart';
	if (FORBIDDEN.test(name)) return 'forbiddenCharacter';
	return null;
}

/**
 * The name to offer for a picked file: its last path part only, without forbidden characters, NFC, trimmed,
 * and cut to FILE_NAME_MAX code points keeping its extension. Always a name `fileNameProblem` accepts.
 */
export function cleanFileName(raw: string): string {
	const last = raw.normalize('NFC').split(/[/\\]/).pop() ?? '';
	const name = last.replace(FORBIDDEN_ALL, '').trim();
	if (name === '' || name === '.' || name === '..') return FALLBACK;
	const points = [...name];
	if (points.length <= FILE_NAME_MAX) return name;
	// Keep a short extension (".pdf", ".tar.gz" keeps ".gz"): it says what the file is.
	const dot = name.lastIndexOf('.');
	const extension = dot > 0 ? [...name.slice(dot)] : [];
	const kept = extension.length > 0 && extension.length <= 16 ? extension : [];
	return (
		points
			.slice(0, FILE_NAME_MAX - kept.length)
			.join('')
			.trimEnd() + kept.join('')
	).normalize('NFC');
}

/** A file's size as both pages show it: 3.1 MB, 12.0 KB, 512 B. */
export const formatFileSize = (bytes: number): string =>
	bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : bytes >= 1e3 ? `${(bytes / 1e3).toFixed(1)} KB` : `${bytes} B`;

/** The site's file size limit is set in MB (SPEC §10); a megabyte here is 2^20 bytes, as file managers count. */
export const fileSizeLimitBytes = (megabytes: number): number => megabytes * 1024 * 1024;

/** A media type as `type/subtype`, lower case, without parameters (RFC 6838's characters). */
export const isWellFormedMediaType = (type: string): boolean =>
	/^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/.test(type);
