import { describe, expect, it } from 'vitest';
import { byteRange } from './byteRange.ts';

describe('byteRange', () => {
	it('reads one range, open-ended ranges and suffixes', () => {
		expect(byteRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
		expect(byteRange('bytes=500-', 1000)).toEqual({ start: 500, end: 999 });
		expect(byteRange('bytes=900-5000', 1000)).toEqual({ start: 900, end: 999 });
		expect(byteRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 });
		expect(byteRange('bytes=-5000', 1000)).toEqual({ start: 0, end: 999 });
	});

	it('serves the whole file for no header, several ranges or nonsense; refuses ranges past the end', () => {
		expect(byteRange(null, 1000)).toBeNull();
		expect(byteRange('bytes=0-1,5-6', 1000)).toBeNull();
		expect(byteRange('items=0-1', 1000)).toBeNull();
		expect(byteRange('bytes=9-3', 1000)).toBeNull();
		expect(byteRange('bytes=1000-', 1000)).toBe('unsatisfiable');
		expect(byteRange('bytes=-0', 1000)).toBe('unsatisfiable');
		expect(byteRange('bytes=0-', 0)).toBe('unsatisfiable');
	});
});
