// The audit as a node runs it: the checkpoint writer (on the node holding its lease) and verification on
// demand (the admin page), with each run's result kept in the audit folder beside the checkpoints.

import type { Database } from '@tandem/db';
import { Lease } from '../effects/lease.ts';
import type { Clock } from '../time/clock.ts';
import { CheckpointWriter, latestCheckpointAt } from './checkpoints.ts';
import { lastVerification, recordVerification, verifyAudit, type AuditVerification } from './verifyAudit.ts';

export interface AuditStatus {
	/** The last verification's result (by the command line or this page), or null when none ran. */
	last: AuditVerification | null;
	/** When the latest checkpoint was written (ms), or null when there is none. */
	lastCheckpointAt: number | null;
	/** How often checkpoints are written (s); null when there is no audit folder. */
	checkpointSeconds: number | null;
}

export interface AuditOptions {
	db: Database;
	auditKey: Buffer;
	clock: Clock;
	nodeId: string;
	/** The checkpoints' folder, outside the database's; none: no checkpoints (chains are still verified). */
	dir?: string | undefined;
	/** Checkpoint interval (ms), 10 s when absent. */
	checkpointMs?: number | undefined;
}

export class AuditService {
	readonly checkpoints: CheckpointWriter | null;
	private readonly options: AuditOptions;
	private running: Promise<AuditVerification> | null = null;
	/** Without a folder, the last result is kept here. */
	private last: AuditVerification | null = null;

	constructor(options: AuditOptions) {
		this.options = options;
		const intervalMs = options.checkpointMs ?? 10_000;
		this.checkpoints = options.dir
			? new CheckpointWriter({
					db: options.db,
					auditKey: options.auditKey,
					dir: options.dir,
					clock: options.clock,
					intervalMs,
					// Outlives two intervals, so the holder keeps it between its passes.
					lease: new Lease({
						db: options.db,
						name: 'audit:checkpoints',
						holder: options.nodeId,
						clock: options.clock,
						ms: Math.max(15_000, 2 * intervalMs + 5_000),
					}),
				})
			: null;
	}

	/** Verifies every chain and checkpoint now (one run at a time: a second caller gets the same run). */
	verify(by: AuditVerification['by'] = 'admin'): Promise<AuditVerification> {
		this.running ??= (async () => {
			const { db, auditKey, clock, dir } = this.options;
			const result = await verifyAudit({ db, auditKey, auditDir: dir, clock, by });
			this.last = result;
			if (dir) recordVerification(dir, result);
			return result;
		})().finally(() => (this.running = null));
		return this.running;
	}

	status(): AuditStatus {
		const { dir, checkpointMs } = this.options;
		if (!dir) return { last: this.last, lastCheckpointAt: null, checkpointSeconds: null };
		return { last: lastVerification(dir), lastCheckpointAt: latestCheckpointAt(dir), checkpointSeconds: (checkpointMs ?? 10_000) / 1000 };
	}

	start(): void {
		this.checkpoints?.start();
	}

	async close(): Promise<void> {
		await this.checkpoints?.close();
		await this.running?.catch(() => undefined);
	}
}
