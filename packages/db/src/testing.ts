// For tests: a fresh database of either kind. PostgreSQL databases are copies of the migrated template
// made by the global setup (test/postgresServer.ts); PGlite ones live in memory.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from './database.ts';

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
