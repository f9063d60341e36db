// How a transferred file is handed to a browser (SPEC §9, §11): always as an attachment (saved, never shown
// in the page), never sniffed, and with a type that cannot run in this site's origin — whatever the sender's
// browser said the file was.

import { isWellFormedMediaType } from '../session/fileNames.ts';

/** Types a browser would render as a document or run as script: served as plain bytes instead. */
const ACTIVE = new Set([
	'text/html',
	'application/xhtml+xml',
	'image/svg+xml',
	'text/xml',
	'application/xml',
	'text/javascript',
	'application/javascript',
	'application/ecmascript',
	'text/ecmascript',
	'application/x-javascript',
	'text/xsl',
	'application/xslt+xml',
	'multipart/x-mixed-replace',
	'application/pdf+html',
]);

/** The Content-Type a file is served with: its offered type when well formed and inert, else octet-stream. */
export function servedType(mediaType: string): string {
	const type = mediaType.toLowerCase();
	return isWellFormedMediaType(type) && !ACTIVE.has(type) && !type.endsWith('+xml') ? type : 'application/octet-stream';
}

/**
 * `attachment` with the file's name twice (RFC 6266): `filename*` in UTF-8 for every browser of today, and a
 * plain ASCII `filename` for the rest — accents dropped, anything else that could break the header replaced.
 */
export function contentDisposition(name: string): string {
	const ascii =
		name
			.normalize('NFKD')
			.replace(/[\u0300-\u036f]/g, '')
			.replace(/[^\x20-\x7e]|["\\%;]/g, '_')
			.trim() || 'file';
	const utf8 = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
	return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}
