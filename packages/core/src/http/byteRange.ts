// HTTP Range requests (RFC 9110 §14): browsers seek a <video> with `Range: bytes=…`, and resume a download.
// One range is served; several ranges, or none we understand, get the whole file.

export type ByteRange = { start: number; end: number };

/**
 * The one byte range asked for, within a file of `size` bytes (`end` inclusive); null when the header is
 * absent or not a single byte range (serve it all); 'unsatisfiable' when it lies past the end (416).
 */
export function byteRange(header: string | null, size: number): ByteRange | null | 'unsatisfiable' {
	if (!header) return null;
	const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
	if (!match) return null;
	const [, from = '', to = ''] = match;
	if (from === '' && to === '') return null;
	if (from === '') {
		// The last N bytes.
		const suffix = Number(to);
		if (suffix === 0 || size === 0) return 'unsatisfiable';
		return { start: Math.max(0, size - suffix), end: size - 1 };
	}
	const start = Number(from);
	if (start >= size) return 'unsatisfiable';
	const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
	if (end < start) return null;
	return { start, end };
}
