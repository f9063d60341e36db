// Runs every suite (unit, API, browser) in one vitest run and ends with the one plain line CI reads:
// `N passed, N failed` (and `, N skipped` when some are).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const out = 'test-results/vitest.json';
mkdirSync('test-results', { recursive: true });
rmSync(out, { force: true });
const run = spawnSync(
	'npx',
	['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)],
	{ stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : '1' } },
);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(out)) {
	const report = JSON.parse(readFileSync(out, 'utf8'));
	passed = report.numPassedTests;
	failed = report.numFailedTests;
	skipped = report.numPendingTests + (report.numTodoTests ?? 0);
	// A file that failed to load (or a failing hook) counts as a failure too.
	failed += report.testResults.filter((f) => f.status === 'failed' && f.assertionResults.every((a) => a.status !== 'failed')).length;
}
if (run.status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || run.status !== 0 ? 1 : 0);
