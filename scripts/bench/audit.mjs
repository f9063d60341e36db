// `npm run bench` section: `audit:verify` throughput (issue 11). A PGlite log of 200,000 events — 10,000
// sessions of 20 events each, HMAC-chained as Tandem writes them — with a checkpoint of every head, then
// verified as `npm run audit:verify` does (every chain, every checkpoint), beside a bare HMAC-SHA256 loop
// over the same rows (read once into memory) in the same run: events per second each, and their ratio.
// Figures only — nothing here asserts a budget.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc } from 'drizzle-orm';
import { events, openDatabase } from '../../packages/db/src/index.ts';
import { chainHash, chainSubject, GENESIS } from '../../packages/core/src/audit/chain.ts';
import { CheckpointWriter } from '../../packages/core/src/audit/checkpoints.ts';
import { verifyAudit } from '../../packages/core/src/audit/verifyAudit.ts';
import { systemClock } from '../../packages/core/src/time/clock.ts';
import { now } from './product.mjs';

const SESSIONS = 10_000;
const PER_SESSION = 20;
const INSERT_BATCH = 2_000;

const rate = (n, ms) => Math.round((n * 1000) / ms).toLocaleString('en-US');

export async function audit() {
	const total = SESSIONS * PER_SESSION;
	console.log(
		`\n## Audit: audit:verify over ${total.toLocaleString('en-US')} events (${SESSIONS.toLocaleString('en-US')} sessions, PGlite) beside a bare HMAC-SHA256 loop`,
	);
	const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-audit-'));
	const handle = await openDatabase({ dataDir: join(dir, 'pglite') });
	try {
		const key = Buffer.from(randomBytes(32).toString('hex'));
		const t0 = now();
		let batch = [];
		const at0 = Date.now() - total * 1000;
		for (let s = 0; s < SESSIONS; s++) {
			const aggregateId = randomUUID();
			let prevHash = GENESIS;
			for (let seq = 1; seq <= PER_SESSION; seq++) {
				const at = new Date(at0 + (s * PER_SESSION + seq) * 1000);
				const payload = {
					type: 'participant.joined',
					at: at.getTime(),
					participantId: randomUUID(),
					name: `Customer ${seq}`,
					role: 'customer',
				};
				const row = { aggregateKind: 'session', aggregateId, seq, type: payload.type, payload, actor: 'system', at };
				const hash = chainHash(key, prevHash, { subject: chainSubject('session', aggregateId), ...row });
				batch.push({ ...row, prevHash, hash });
				prevHash = hash;
				if (batch.length === INSERT_BATCH) {
					await handle.db.insert(events).values(batch);
					batch = [];
				}
			}
		}
		if (batch.length) await handle.db.insert(events).values(batch);
		console.log(`setup: ${total.toLocaleString('en-US')} chained events written in ${((now() - t0) / 1000).toFixed(1)} s`);

		const auditDir = join(dir, 'audit');
		const writer = new CheckpointWriter({ db: handle.db, auditKey: key, dir: auditDir, clock: systemClock, intervalMs: 10_000 });
		let t = now();
		const written = await writer.writeNow();
		console.log(`first checkpoint (a full snapshot of ${written.heads.toLocaleString('en-US')} heads): ${(now() - t).toFixed(0)} ms`);

		// Warm-up, then the measured run.
		await verifyAudit({ db: handle.db, auditKey: key, auditDir, clock: systemClock, by: 'cli' });
		t = now();
		const result = await verifyAudit({ db: handle.db, auditKey: key, auditDir, clock: systemClock, by: 'cli' });
		const verifyMs = now() - t;
		if (!result.ok || result.events !== total)
			throw new Error(`verification went wrong: ${JSON.stringify(result.firstBroken)} (${result.events} events)`);

		// The bare loop: the same rows, already in memory, one HMAC-SHA256 each over the same bytes.
		const rows = await handle.db.select().from(events).orderBy(asc(events.aggregateKind), asc(events.aggregateId), asc(events.seq));
		t = now();
		let matched = 0;
		for (const r of rows) {
			const digest = createHmac('sha256', key)
				.update(r.prevHash)
				.update('\n')
				.update(JSON.stringify([r.aggregateId, r.seq, r.type, r.payload, r.actor, r.at.toISOString()]))
				.digest('hex');
			if (digest.length === 64) matched++;
		}
		const bareMs = now() - t;
		if (matched !== total) throw new Error('bare loop went wrong');

		const verifyRate = (total * 1000) / verifyMs;
		const bareRate = (total * 1000) / bareMs;
		console.log(
			`audit:verify (read in batches from PGlite, chains + checkpoint): ${(verifyMs / 1000).toFixed(2)} s — ${rate(total, verifyMs)} events/s`,
		);
		console.log(
			`bare HMAC-SHA256 loop over the same rows in memory:          ${(bareMs / 1000).toFixed(2)} s — ${rate(total, bareMs)} events/s`,
		);
		console.log(
			`ratio audit:verify / bare HMAC: ${(verifyRate / bareRate).toFixed(2)} (bare is ${(bareRate / verifyRate).toFixed(1)}× faster)`,
		);
	} finally {
		await handle.close();
		rmSync(dir, { recursive: true, force: true });
	}
}
