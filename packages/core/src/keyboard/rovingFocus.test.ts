import { describe, expect, it } from 'vitest';
import { rovingIndex } from './rovingFocus.ts';

describe('rovingIndex', () => {
	it('steps along the list and wraps; Home and End go to its ends', () => {
		expect(rovingIndex('ArrowDown', 0, 3)).toBe(1);
		expect(rovingIndex('ArrowDown', 2, 3)).toBe(0);
		expect(rovingIndex('ArrowUp', 0, 3)).toBe(2);
		expect(rovingIndex('Home', 2, 3)).toBe(0);
		expect(rovingIndex('End', 0, 3)).toBe(2);
		// Nothing focused yet (-1): the first step lands on an end.
		expect(rovingIndex('ArrowDown', -1, 3)).toBe(0);
		expect(rovingIndex('ArrowUp', -1, 3)).toBe(1);
	});

	it('across, the left and right arrows move; the other arrows and other keys do not', () => {
		expect(rovingIndex('ArrowRight', 0, 2, 'horizontal')).toBe(1);
		expect(rovingIndex('ArrowLeft', 0, 2, 'horizontal')).toBe(1);
		expect(rovingIndex('ArrowDown', 0, 2, 'horizontal')).toBeNull();
		expect(rovingIndex('ArrowRight', 0, 2)).toBeNull();
		expect(rovingIndex('Enter', 0, 2)).toBeNull();
		expect(rovingIndex('ArrowDown', 0, 0)).toBeNull();
	});
});
