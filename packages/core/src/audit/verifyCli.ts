// `npm run audit:verify`: verifies the audit log with the server's own configuration (TANDEM_DATA_DIR,
// DATABASE_URL, TANDEM_AUDIT_KEY, TANDEM_AUDIT_DIR) and prints a plain summary. Exit code 0: every chain and
// checkpoint verifies; 1: a broken link, named (the session or aggregate, the event id, what is wrong);
// 2: it could not run (configuration, no key, no database, PGlite's database open in the server).
// PGlite is one process's database: with it, stop the server first (the admin page verifies while it runs).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '@tandem/db';
import { loadConfig } from '../config.ts';
import { systemClock } from '../time/clock.ts';
import { describeBrokenLink, recordVerification, verifyAudit } from './verifyAudit.ts';

const USAGE = 'usage: npm run audit:verify [-- --force]   (--force: open a PGlite database whose server seems to be running)';

export async function auditVerifyMain(
	argv: readonly string[],
	env: Record<string, string | undefined>,
	out = console.log,
	err = console.error,
): Promise<number> {
	const force = argv.includes('--force');
	if (argv.some((a) => a !== '--force')) {
		err(argv.includes('--help') || argv.includes('-h') ? USAGE : `unknown argument: ${argv.find((a) => a !== '--force')}\n${USAGE}`);
		return 2;
	}
	const dataDir = env.TANDEM_DATA_DIR || 'data';
	// Without TANDEM_AUDIT_KEY the server reads <data dir>/audit.key; a verifier must not make a new one.
	if (!env.TANDEM_AUDIT_KEY && !existsSync(join(dataDir, 'audit.key'))) {
		err(
			`audit:verify: no audit key — set TANDEM_AUDIT_KEY as the server has it, or TANDEM_DATA_DIR to the folder holding audit.key (${join(dataDir, 'audit.key')} is not there)`,
		);
		return 2;
	}
	let config;
	try {
		config = loadConfig(env);
	} catch (error) {
		err(error instanceof Error ? error.message : String(error));
		return 2;
	}
	const pgliteDir = join(config.dataDir, 'pglite');
	if (!config.databaseUrl) {
		if (!existsSync(join(pgliteDir, 'PG_VERSION'))) {
			err(`audit:verify: no database at ${pgliteDir} (set TANDEM_DATA_DIR, or DATABASE_URL for PostgreSQL)`);
			return 2;
		}
		if (existsSync(join(pgliteDir, 'postmaster.pid')) && !force) {
			err(
				`audit:verify: the PGlite database at ${pgliteDir} is open — stop the server first (PGlite is one process's database; the admin page's Audit verifies while the server runs). If the server is stopped but was killed, add -- --force.`,
			);
			return 2;
		}
	}
	let handle;
	try {
		handle = await openDatabase({ url: config.databaseUrl, dataDir: pgliteDir, poolSize: 2 });
	} catch (error) {
		err(`audit:verify: cannot open the database: ${error instanceof Error ? error.message : String(error)}`);
		return 2;
	}
	try {
		const result = await verifyAudit({
			db: handle.db,
			auditKey: config.auditKey,
			auditDir: config.auditDir,
			clock: systemClock,
			by: 'cli',
		});
		recordVerification(config.auditDir, result);
		const rate = result.durationMs > 0 ? Math.round((result.events * 1000) / result.durationMs) : result.events;
		out(`Audit log: ${result.ok ? 'verified, no broken link' : 'BROKEN'}`);
		out(`  ${result.events} events in ${result.chains} chains (${rate} events/s); ${result.checkpoints} checkpoints in ${config.auditDir}`);
		out(`  latest checkpoint: ${result.lastCheckpointAt === null ? 'none' : new Date(result.lastCheckpointAt).toISOString()}`);
		if (result.firstBroken) {
			out(`  first broken link: ${describeBrokenLink(result.firstBroken)}`);
			if (result.problems > 1) out(`  (${result.problems} broken links in all)`);
		}
		return result.ok ? 0 : 1;
	} catch (error) {
		err(`audit:verify: could not verify: ${error instanceof Error ? error.message : String(error)}`);
		return 2;
	} finally {
		await handle.close();
	}
}
