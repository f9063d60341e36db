// For tests: a fresh database of either kind, or one as an older release left it (upgrade tests). PostgreSQL databases are copies of the migrated template
// made by the global setup (test/postgresServer.ts); PGlite ones live in memory.

import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { migrationsFolder, openDatabase, type DatabaseHandle } from './database.ts';

export type DatabaseKind = 'pglite' | 'postgres';

export async function freshDatabase(kind: DatabaseKind, postgresBaseUrl?: string): Promise<DatabaseHandle> {
	if (kind === 'pglite') return openDatabase({ dataDir: 'memory://' });
	if (!postgresBaseUrl) throw new Error('freshDatabase(postgres) needs the base URL from the global setup');
	const name = `t_${randomBytes(6).toString('hex')}`;
	const admin = new pg.Client({ connectionString: `${postgresBaseUrl}/postgres` });
	await admin.connect();
	try {
		await admin.query(`create database ${name} template tandem_template`);
	} finally {
		await admin.end();
	}
	return openDatabase({ url: `${postgresBaseUrl}/${name}` });
}

/** A PGlite database in `dataDir` as an older release left it: migrated up to the migration `lastTag` only. */
export async function pgliteAsOf(
	dataDir: string,
	lastTag: string,
): Promise<{ query(sql: string, params?: unknown[]): Promise<unknown>; close(): Promise<void> }> {
	const folder = mkdtempSync(join(tmpdir(), 'tandem-migrations-'));
	try {
		cpSync(migrationsFolder, folder, { recursive: true });
		const journalFile = join(folder, 'meta', '_journal.json');
		const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
		const last = journal.entries.findIndex((e) => e.tag === lastTag);
		if (last < 0) throw new Error(`no migration ${lastTag}`);
		journal.entries = journal.entries.slice(0, last + 1);
		writeFileSync(journalFile, JSON.stringify(journal));
		const client = new PGlite(dataDir);
		await migrate(drizzle(client), { migrationsFolder: folder });
		return { query: (sql, params) => client.query(sql, params), close: () => client.close() };
	} finally {
		rmSync(folder, { recursive: true, force: true });
	}
}
