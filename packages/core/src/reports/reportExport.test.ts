// CSV fields (RFC 4180) and formula neutralisation, read back by a real CSV parser.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvField, csvOf } from './reportExport.ts';

describe('CSV of the reports', () => {
	it('neutralises what a spreadsheet would run as a formula, and only that', () => {
		for (const cell of ['=1+1', '+381 11 123', '-2', '@SUM(A1)', '\t=1', '\r=1']) expect(csvField(cell).replace(/^"/, '')).toMatch(/^'/);
		expect(csvField('Ana')).toBe('Ana');
		expect(csvField(-2)).toBe('-2'); // a number is a number
		expect(csvField(null)).toBe('');
	});

	it('round-trips quotes, commas, line breaks, edge spaces and Serbian letters through csv-parse', () => {
		const rows = [
			['a "quoted", name', 'line one\nline two\r\nthree', ' padded ', 'čćžšđ ČĆŽŠĐ'],
			['=cmd|calc', '', 'x', '😀'],
		];
		const text = csvOf(rows);
		expect(text.startsWith('\uFEFF')).toBe(true);
		expect(text.endsWith('\r\n')).toBe(true);
		const back = parse(text, { bom: true }) as string[][];
		expect(back[0]).toEqual(rows[0]);
		expect(back[1]).toEqual(["'=cmd|calc", '', 'x', '😀']);
	});
});
