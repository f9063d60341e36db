// One factory for both drivers: PGlite embedded under data/ by default, PostgreSQL when a URL is given.

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { withEventLoopTurns } from './eventLoopTurns.ts';
import { schema, type Schema } from './schema.ts';

export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export interface DatabaseHandle {
	db: Database;
	kind: 'pglite' | 'postgres';
	/** The PostgreSQL URL, when it is one. */
	url?: string;
	close(): Promise<void>;
}

export const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

export interface DatabaseOptions {
	/** postgres://… — when set, PostgreSQL; otherwise PGlite. */
	url?: string | undefined;
	/** PGlite's data directory; `memory://` for a throw-away database. */
	dataDir?: string | undefined;
	/** Pool size for PostgreSQL. */
	poolSize?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
	if (options.url) {
		const { default: pg } = await import('pg');
		const { drizzle } = await import('drizzle-orm/node-postgres');
		const { migrate } = await import('drizzle-orm/node-postgres/migrator');
		const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
		const db = drizzle(pool, { schema });
		await migrate(db, { migrationsFolder });
		return { db: db as unknown as Database, kind: 'postgres', url: options.url, close: () => pool.end() };
	}
	const { PGlite } = await import('@electric-sql/pglite');
	const { drizzle } = await import('drizzle-orm/pglite');
	const { migrate } = await import('drizzle-orm/pglite/migrator');
	const dataDir = options.dataDir ?? 'memory://';
	if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
	const client = new PGlite(dataDir);
	const db = drizzle(withEventLoopTurns(client), { schema });
	await migrate(db, { migrationsFolder });
	return { db: db as unknown as Database, kind: 'pglite', close: () => client.close() };
}
