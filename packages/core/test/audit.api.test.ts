// The audit log you can verify (SPEC §10, issue 11): sessions, a rep created, edited and disabled, settings
// changed and a queue made are events of the one log; after a checkpoint, an untouched database verifies
// clean — and one event row altered, a session's last event deleted, an admin action's row edited are each
// caught, named (the session or rep, the event id, what is wrong), by the verify function, by the admin
// procedure `audit.verify` and by the real `npm run audit:verify` run as a child process against that very
// database (exit 1). On PGlite — one process's database — the world is closed while the command runs and
// opened again after, as an operator stops the server. Each tamper is put back, and the log verifies clean
// again. Then the checkpoints themselves: a cut chain that went on, a forged checkpoint, a snapshot made
// over deltas. Time is a fake clock; checkpoints are written by hand.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, desc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { events, openDatabase, type DatabaseHandle } from '@tandem/db';
import { freshDatabase } from '@tandem/db/testing';
import type {} from '../../db/test/postgresServer.ts';
import { CheckpointWriter, listCheckpoints } from '../src/audit/checkpoints.ts';
import { verifyAudit, type AuditVerification } from '../src/audit/verifyAudit.ts';
import { formatSessionNumber } from '../src/session/sessionNumber.ts';
import { FakeClock } from '../src/time/clock.ts';
import { Browser, refusalOf, worldOn, type World } from './harness.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface CliRun {
	code: number;
	out: string;
}

describe.each(['pglite', 'postgres'] as const)('the audit log on %s', (kind) => {
	const clock = new FakeClock();
	const dataDir = mkdtempSync(join(tmpdir(), 'tandem-audit-test-'));
	const auditDir = join(dataDir, 'audit');
	// As TANDEM_AUDIT_KEY holds it: the key is the text's bytes.
	const keyText = randomBytes(32).toString('hex');
	const auditKey = Buffer.from(keyText);
	let url: string | undefined;
	let w: World;
	let ana: Browser;
	let anaId: string;
	/** Sessions, each with events: the first ended, the second live with a customer. */
	let sessions: { id: string; number: string }[];

	async function open(): Promise<void> {
		const handle: DatabaseHandle = url ? await openDatabase({ url }) : await openDatabase({ dataDir: join(dataDir, 'pglite') });
		const cookies = w ? [...w.admin.cookies] : null;
		const anaCookies = ana ? [...ana.cookies] : null;
		w = await worldOn(handle, auditKey, { clock, auditDir });
		if (cookies) for (const [k, v] of cookies) w.admin.cookies.set(k, v);
		if (anaCookies) {
			ana = w.browser();
			for (const [k, v] of anaCookies) ana.cookies.set(k, v);
		}
	}

	beforeAll(async () => {
		if (kind === 'postgres') {
			const handle = await freshDatabase('postgres', inject('postgresBaseUrl'));
			url = handle.url;
			await handle.close();
		}
		await open();
		await (await w.admin.api()).auth.createFirstAdmin({ name: 'Admin', email: 'admin@example.com', password: 'admin-password' });
		const admin = await w.admin.api();
		// Admin actions: reps created, edited, disabled, given roles; settings; a queue.
		ana = await w.rep('Ana', { sessionMode: 'multi' });
		const ivo = await w.rep('Ivo');
		const list = await admin.admin.reps();
		anaId = list.find((r) => r.name === 'Ana')!.id;
		await admin.admin.updateRep({ id: anaId, name: 'Ana Petrović', isAgent: true });
		await admin.admin.updateRep({ id: list.find((r) => r.name === 'Ivo')!.id, disabled: true });
		void ivo;
		await admin.admin.updateSettings({ gracePeriodSeconds: 45, maxSessionsPerRep: 6 });
		await admin.admin.createQueue({ name: 'Billing', members: [anaId], routing: 'mostIdle', openToCustomers: true });
		// Sessions with events.
		const first = await (await ana.api()).session.start();
		await (await w.browser().api()).session.join({ number: first.number, name: 'Mira' });
		await (await ana.api()).session.end({ sessionId: first.id });
		const second = await (await ana.api()).session.start();
		await (await w.browser().api()).session.join({ number: second.number, name: 'Nikola' });
		sessions = [first, second].map((s) => ({ id: s.id, number: s.number }));
		clock.advance(10_000);
		const written = await w.services.audit.checkpoints!.writeNow();
		expect(written).toMatchObject({ n: 1, kind: 'full' });
	});
	afterAll(async () => {
		await w?.close();
		rmSync(dataDir, { recursive: true, force: true });
	});

	const verify = () => verifyAudit({ db: w.services.db, auditKey, auditDir, clock, by: 'admin' });

	/** The real `npm run audit:verify`, with the server's configuration; on PGlite with the world closed meanwhile. */
	async function cli(): Promise<CliRun> {
		if (!url) await w.close();
		try {
			return await new Promise<CliRun>((done) => {
				execFile(
					'npm',
					['run', '--silent', 'audit:verify'],
					{
						cwd: ROOT,
						env: {
							...process.env,
							PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
							TANDEM_DATA_DIR: dataDir,
							TANDEM_AUDIT_KEY: keyText,
							TANDEM_AUDIT_DIR: auditDir,
							DATABASE_URL: url ?? '',
						},
					},
					(error, stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? 99) : 0, out: stdout + stderr }),
				);
			});
		} finally {
			if (!url) await open();
		}
	}

	const adminVerify = async () => (await (await w.admin.api()).audit.verify()).last!;

	async function lastEventOf(kind: 'session' | 'rep', aggregateId: string, type?: string) {
		const [row] = await w.services.db
			.select()
			.from(events)
			.where(and(eq(events.aggregateKind, kind), eq(events.aggregateId, aggregateId), ...(type ? [eq(events.type, type)] : [])))
			.orderBy(desc(events.seq))
			.limit(1);
		return row!;
	}

	/** Caught by the function, the admin procedure and the command line, each naming the same link. */
	async function expectCaught(link: { kind: string; aggregateId: string; eventId: number; seq: number; problem: string }, words: string[]) {
		const direct = await verify();
		expect(direct.ok).toBe(false);
		expect(direct.firstBroken).toMatchObject(link);
		const page = await adminVerify();
		expect(page).toMatchObject({ ok: false, by: 'admin', firstBroken: link });
		const run = await cli();
		expect(run.code, run.out).toBe(1);
		expect(run.out).toContain('BROKEN');
		for (const word of [link.aggregateId, `event ${link.eventId}`, link.problem, ...words]) expect(run.out).toContain(word);
		// The page says when the last verification ran, whoever ran it.
		const status = await (await w.admin.api()).audit.status();
		expect(status.last).toMatchObject({ ok: false, by: 'cli', firstBroken: link });
		return direct;
	}

	async function expectClean(): Promise<AuditVerification> {
		const result = await verify();
		expect(result.firstBroken).toBeNull();
		expect(result.ok).toBe(true);
		return result;
	}

	it('an untouched database verifies clean: by the function, the admin page and `npm run audit:verify`', async () => {
		const result = await expectClean();
		// Two sessions, three reps (the admin, Ana, Ivo), an agent, the site, a queue.
		expect(result.chains).toBeGreaterThanOrEqual(7);
		expect(result.events).toBeGreaterThan(result.chains);
		expect(result.checkpoints).toBe(1);
		expect(result.lastCheckpointAt).toBe(clock.now());
		const kinds = await w.services.db.execute(sql`select distinct aggregate_kind as k from events`);
		const rows = (kinds as unknown as { rows?: { k: string }[] }).rows ?? (kinds as unknown as { k: string }[]);
		expect(rows.map((r) => r.k).sort()).toEqual(['agent', 'queue', 'rep', 'session', 'site']);

		const page = await adminVerify();
		expect(page).toMatchObject({ ok: true, events: result.events, chains: result.chains, checkpoints: 1, by: 'admin' });
		const run = await cli();
		expect(run.code, run.out).toBe(0);
		expect(run.out).toContain('verified, no broken link');
		expect(run.out).toContain(`${result.events} events in ${result.chains} chains`);
		const status = await (await w.admin.api()).audit.status();
		expect(status).toMatchObject({ last: { ok: true, by: 'cli' }, lastCheckpointAt: clock.now(), checkpointSeconds: 10 });
	});

	it("(a) one event row's payload altered by SQL is caught and named", async () => {
		const session = sessions[0]!;
		const [row] = await w.services.db
			.select()
			.from(events)
			.where(and(eq(events.aggregateKind, 'session'), eq(events.aggregateId, session.id), eq(events.seq, 2)));
		const original = JSON.stringify(row!.payload);
		await w.services.db.execute(sql`update events set payload = payload || '{"name":"Someone else"}'::jsonb where id = ${row!.id}`);
		await expectCaught({ kind: 'session', aggregateId: session.id, eventId: row!.id, seq: 2, problem: 'hashMismatch' }, [
			`session ${formatSessionNumber(session.number)}`,
		]);
		expect((await verify()).firstBroken?.sessionNumber).toBe(formatSessionNumber(session.number));
		await w.services.db.execute(sql`update events set payload = ${original}::jsonb where id = ${row!.id}`);
		await expectClean();
	});

	it("(b) a session's last event deleted (after a checkpoint) is caught and named", async () => {
		const session = sessions[1]!;
		const last = await lastEventOf('session', session.id);
		await w.services.db.delete(events).where(eq(events.id, last.id));
		// The chain left still verifies on its own: only the checkpoint knows it was longer.
		const result = await expectCaught(
			{ kind: 'session', aggregateId: session.id, eventId: last.id, seq: last.seq, problem: 'missingEvent' },
			[`session ${formatSessionNumber(session.number)}`],
		);
		expect(result.problems).toBeGreaterThanOrEqual(1);
		await w.services.db.insert(events).values(last);
		await expectClean();
	});

	it("(c) an admin action's row edited (a rep.changed event) is caught and named", async () => {
		const row = await lastEventOf('rep', anaId, 'rep.changed');
		await w.services.db.execute(
			sql`update events set payload = jsonb_set(payload, '{changes,isAdmin}', 'true'::jsonb) where id = ${row.id}`,
		);
		await expectCaught({ kind: 'rep', aggregateId: anaId, eventId: row.id, seq: row.seq, problem: 'hashMismatch' }, [
			'rep account Ana Petrović',
		]);
		await w.services.db.execute(sql`update events set payload = ${JSON.stringify(row.payload)}::jsonb where id = ${row.id}`);
		await expectClean();
	});

	it('a non-admin is refused the audit; nobody signed in too', async () => {
		expect(await refusalOf((await ana.api()).audit.verify())).toBe('forbidden');
		expect(await refusalOf((await ana.api()).audit.status())).toBe('forbidden');
		expect(await refusalOf((await w.browser().api()).audit.status())).toBe('notSignedIn');
	});

	it('a chain cut after a checkpoint that then went on is caught, also after the deltas are merged into a snapshot', async () => {
		const session = sessions[1]!;
		const last = await lastEventOf('session', session.id);
		await w.services.db.delete(events).where(eq(events.id, last.id));
		// The session goes on: its next event takes the deleted one's seq, with another hash.
		await (await w.browser().api()).session.join({ number: session.number, name: 'Vesna' });
		clock.advance(10_000);
		expect(await w.services.audit.checkpoints!.writeNow()).toMatchObject({ kind: 'delta' });
		const link = { kind: 'session', aggregateId: session.id, eventId: last.id, seq: last.seq, problem: 'checkpointMismatch' };
		expect((await verify()).firstBroken).toMatchObject(link);
		// A snapshot made over the deltas keeps the head that no longer matches: nothing is laundered.
		const compacting = new CheckpointWriter({ db: w.services.db, auditKey, dir: auditDir, clock, intervalMs: 10_000, compactAfter: 1 });
		await (await ana.api()).session.end({ sessionId: session.id });
		clock.advance(10_000);
		expect(await compacting.writeNow()).toMatchObject({ kind: 'full' });
		expect(listCheckpoints(auditDir).map((f) => f.kind)).toEqual(['full']);
		const after = await verify();
		expect(after.firstBroken).toMatchObject(link);
		expect(after.checkpoints).toBe(1);
	});

	it('a checkpoint altered or removed from the middle of the checkpoints is caught', async () => {
		// A fresh folder, so this test does not carry the previous one's break.
		const dir = mkdtempSync(join(tmpdir(), 'tandem-audit-cp-'));
		try {
			const writer = new CheckpointWriter({ db: w.services.db, auditKey, dir, clock, intervalMs: 10_000 });
			expect(await writer.writeNow()).toMatchObject({ n: 1, kind: 'full' });
			// What the last test's session end set going (an agent idle again) may still be landing.
			for (let i = 0; i < 5 && (await writer.writeNow()); i++) await new Promise((r) => setTimeout(r, 20));
			expect(await writer.writeNow(), 'nothing changed: nothing written').toBeNull();
			for (let i = 0; i < 2; i++) {
				await (await ana.api()).session.start();
				clock.advance(10_000);
				expect(await writer.writeNow()).toMatchObject({ kind: 'delta' });
			}
			const files = listCheckpoints(dir).slice(-3);
			const second = join(dir, files[1]!.file);
			const text = readFileSync(second, 'utf8');
			// One recorded head's seq changed, the signature left as it was.
			const lines = text.split('\n');
			const head = JSON.parse(lines[1]!) as [string, string, number, string, number];
			lines[1] = JSON.stringify([head[0], head[1], head[2] + 1, head[3], head[4]]);
			writeFileSync(second, lines.join('\n'));
			const forged = await verifyAudit({ db: w.services.db, auditKey, auditDir: dir, clock, by: 'admin' });
			expect(forged.firstBroken).toMatchObject({ kind: 'checkpoint', aggregateId: files[1]!.file, problem: 'checkpointSignature' });
			rmSync(second);
			const gone = await verifyAudit({ db: w.services.db, auditKey, auditDir: dir, clock, by: 'admin' });
			expect(gone.firstBroken).toMatchObject({ kind: 'checkpoint', aggregateId: files[2]!.file, problem: 'checkpointChain' });
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
