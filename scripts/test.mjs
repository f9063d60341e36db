// Runs every suite — the type checks (tsc of every package and of the browser tests, svelte-check), the format check (Prettier), then unit, API and
// browser tests in one vitest run — and ends with the one plain line CI reads:
// `N passed, N failed` (and `, N skipped` when some are). Each check counts as one test.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const env = { ...process.env, FORCE_COLOR: process.env.CI ? '0' : '1' };
let passed = 0;
let failed = 0;
let skipped = 0;

/** A check passes when its command exits 0. */
function check(name, command, args) {
	console.log(`== ${name}: ${command} ${args.join(' ')}`);
	const run = spawnSync(command, args, { stdio: 'inherit', env });
	if (run.status === 0) passed++;
	else {
		failed++;
		console.log(`== ${name} FAILED`);
	}
}

const vitestArgs = process.argv.slice(2);
// A run narrowed to some tests (`npm test -- tests/browser/x.test.ts`) skips the whole-tree checks.
if (vitestArgs.length === 0) {
	check('types', 'npx', ['turbo', 'run', 'check', '--output-logs=errors-only']);
	check('test types', 'npx', ['tsc', '-p', 'tests']);
	check('format', 'npx', ['prettier', '--check', '.']);
}

const out = 'test-results/vitest.json';
mkdirSync('test-results', { recursive: true });
rmSync(out, { force: true });
const run = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...vitestArgs], {
	stdio: 'inherit',
	env,
});

let vitestFailed = 0;
if (existsSync(out)) {
	const report = JSON.parse(readFileSync(out, 'utf8'));
	passed += report.numPassedTests;
	vitestFailed = report.numFailedTests;
	skipped += report.numPendingTests + (report.numTodoTests ?? 0);
	// A file that failed to load (or a failing hook) counts as a failure too.
	vitestFailed += report.testResults.filter((f) => f.status === 'failed' && f.assertionResults.every((a) => a.status !== 'failed')).length;
}
if (run.status !== 0 && vitestFailed === 0) vitestFailed = 1;
failed += vitestFailed;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
