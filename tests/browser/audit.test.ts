// Admin › Audit as an administrator meets it (SPEC §10): on a server of its own (PGlite, a checkpoint every
// second), the admin presses Verify now and reads that the log is clean, with its counts and the latest
// checkpoint. Then the server is stopped, one event row of a session is altered in its database (PGlite is
// one process's database, so only while the server is down), the server is started again on the same data
// and port, and Verify now names the broken link: the session's number, the event id, what is wrong.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSessionNumber } from '../../packages/core/src/session/sessionNumber.ts';
import { launchChromium, person } from './chromium.ts';
import { GENEROUS_LIMITS, startServer, type RunningServer } from './server.ts';
import { ADMIN, createRepOn, signIn, trpcCall, visible, waitFor } from './support.ts';

let browser: Browser;
let server: RunningServer | null = null;
let dataDir = '';
beforeAll(async () => {
	browser = await launchChromium();
});
afterAll(async () => {
	await server?.stop();
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
	await browser?.close();
});

const ENV = { ...GENEROUS_LIMITS, TANDEM_SFU: 'off', TANDEM_AUDIT_CHECKPOINT_SECONDS: '1' };

async function openAudit(page: Page) {
	await page.getByRole('button', { name: 'Admin', exact: true }).click();
	await page.getByRole('menuitem', { name: 'Audit' }).click();
	const dialog = page.getByRole('dialog', { name: 'Audit' });
	await visible(dialog);
	return dialog;
}

describe('Admin › Audit', () => {
	it('Verify now: clean on an untouched log; after a row is altered, the page names the session, the event and what is wrong', async () => {
		server = await startServer(ENV, { keepData: true });
		dataDir = server.dataDir;
		const base = server.baseUrl;
		const vera = await createRepOn(base, 'Vera');
		const { cookie: veraCookie } = await trpcCall('auth.signIn', { email: vera.email, password: vera.password }, { base });
		const { data: session } = await trpcCall<{ id: string; number: string }>('session.start', undefined, { base, cookie: veraCookie! });
		await trpcCall('session.join', { number: session.number, name: 'Mira' }, { base });
		const { cookie: adminCookie } = await trpcCall('auth.signIn', { email: ADMIN.email, password: ADMIN.password }, { base });
		// The checkpoint writer has caught up with the log (one a second here).
		await waitFor(async () => {
			const { data } = await trpcCall<{ lastCheckpointAt: number | null }>('audit.status', undefined, {
				base,
				cookie: adminCookie!,
				method: 'GET',
			});
			return data.lastCheckpointAt !== null;
		});

		const boss = await person(browser, 'en-US', base);
		try {
			await signIn(boss.page, ADMIN);
			let audit = await openAudit(boss.page);
			await visible(audit.getByText('Not verified yet.'));
			await visible(audit.getByText(/^Latest checkpoint: .+ \(one every 1 s\)\.$/));
			await audit.getByRole('button', { name: 'Verify now' }).click();
			await visible(audit.getByRole('status').getByText('Verified clean: every chain and checkpoint is intact.'));
			await visible(audit.getByText(/^Last verification: .+, on the admin page\.$/));
			expect(Number(await audit.locator('[data-count="checkpoints"]').textContent())).toBeGreaterThanOrEqual(1);
			expect(Number(await audit.locator('[data-count="events"]').textContent())).toBeGreaterThan(3);
			await audit.getByRole('button', { name: 'Close' }).click();

			// The server down, one of the session's events is altered in its database; then up again.
			await server.stop();
			const db = new PGlite(join(dataDir, 'pglite'));
			const { rows } = await db.query<{ id: number }>(
				`update events set payload = payload || '{"name":"Someone else"}'::jsonb where aggregate_kind = 'session' and aggregate_id = $1 and seq = 2 returning id`,
				[session.id],
			);
			await db.close();
			expect(rows).toHaveLength(1);
			const eventId = Number(rows[0]!.id);
			server = await startServer(ENV, { dataDir, port: server.port, keepData: true });

			await boss.page.reload();
			audit = await openAudit(boss.page);
			// Until verified again, the page shows the last result: clean.
			await visible(audit.getByRole('status').getByText('Verified clean: every chain and checkpoint is intact.'));
			await audit.getByRole('button', { name: 'Verify now' }).click();
			await visible(audit.getByRole('status').getByText('Broken: the audit log was altered.'));
			const link = audit.locator('[data-broken-link]');
			await visible(link);
			expect(await link.textContent()).toBe(
				`Session ${formatSessionNumber(session.number)}, event ${eventId} (no. 2 in its chain): its content or hash was changed (the HMAC does not match)`,
			);
			await visible(audit.getByRole('heading', { name: 'First broken link' }));
		} finally {
			await boss.context.close();
		}
	});
});
