// Set-up of every browser test file: a test whose pages violated the Content Security Policy fails; a file
// that moved the site's clock puts it back, so the next file counts times against the system's.
import { afterAll, afterEach, expect } from 'vitest';
import { takeCspViolations } from './cspWatch.ts';
import { clockOffset, setClockOffset } from './support.ts';

afterAll(async () => {
	if (clockOffset() !== 0) await setClockOffset(0);
});

afterEach(() => {
	expect(takeCspViolations(), 'Content Security Policy violations').toEqual([]);
});
