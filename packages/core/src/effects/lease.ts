// A lease: which node runs a piece of work that must run on exactly one node at a time (an effect). The
// holder renews it while it works; when a node dies its lease runs out and another node takes the work.
// One row per lease, taken with one statement, so the same code holds on PGlite (one node) and PostgreSQL.

import { and, eq, sql } from 'drizzle-orm';
import { leases, type Database } from '@tandem/db';
import type { Clock } from '../time/clock.ts';

export const LEASE_MS = 15_000;

export class Lease {
	private readonly db: Database;
	private readonly name: string;
	private readonly holder: string;
	private readonly clock: Clock;
	private readonly ms: number;

	constructor(options: { db: Database; name: string; holder: string; clock: Clock; ms?: number }) {
		this.db = options.db;
		this.name = options.name;
		this.holder = options.holder;
		this.clock = options.clock;
		this.ms = options.ms ?? LEASE_MS;
	}

	/** Takes the lease when it is free or ran out, or renews it when it is ours; says whether we hold it. */
	async hold(): Promise<boolean> {
		const now = new Date(this.clock.now());
		const until = new Date(this.clock.now() + this.ms);
		const taken = await this.db
			.insert(leases)
			.values({ name: this.name, holder: this.holder, expiresAt: until })
			.onConflictDoUpdate({
				target: leases.name,
				set: { holder: this.holder, expiresAt: until },
				setWhere: sql`${leases.holder} = ${this.holder} or ${leases.expiresAt} < ${now}`,
			})
			.returning({ holder: leases.holder });
		return taken[0]?.holder === this.holder;
	}

	async release(): Promise<void> {
		await this.db.delete(leases).where(and(eq(leases.name, this.name), eq(leases.holder, this.holder)));
	}
}
