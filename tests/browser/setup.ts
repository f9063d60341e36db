// Set-up of every browser test file: a test whose pages violated the Content Security Policy fails.
import { afterEach, expect } from 'vitest';
import { takeCspViolations } from './cspWatch.ts';

afterEach(() => {
	expect(takeCspViolations(), 'Content Security Policy violations').toEqual([]);
});
