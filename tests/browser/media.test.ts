// Media as people use it (SPEC §5, §6, §9): real Chromium clients with fake screen, camera and
// microphone, the real SFU. Few and serial: this machine has two cores.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, person } from './chromium.ts';
import { createRep, gone, joinAsCustomer, receivesFrames, signIn, startSession, visible, waitFor } from './support.ts';

let browser: Browser;
beforeAll(async () => {
	browser = await launchChromium();
});
afterAll(() => browser?.close());

async function customerShares(page: Page) {
	await page.getByRole('button', { name: 'Share my screen' }).click();
	await page.getByRole('dialog').getByRole('button', { name: 'Choose what to share' }).click();
	await visible(page.getByRole('button', { name: 'Stop sharing' }));
}

/** An <audio> for that voice is playing a live remote track (consumed from the SFU and resumed). */
async function hearsVoice(page: Page, name: string) {
	const audio = page.locator(`audio[aria-label="${name}"]`);
	await audio.waitFor({ state: 'attached', timeout: 20_000 });
	await waitFor(
		() =>
			audio.evaluate(async (el: HTMLAudioElement) => {
				const track = (el.srcObject as MediaStream | null)?.getAudioTracks()[0];
				return !!track && track.readyState === 'live' && !el.paused;
			}),
		20_000,
	);
}

async function assist(page: Page, number: string) {
	await page.getByRole('button', { name: 'Provide Support' }).click();
	await page.getByRole('menuitem', { name: 'Assist Session' }).click();
	await page.getByLabel('Session number').fill(number);
	await page.getByRole('button', { name: 'Join' }).click();
	await visible(page.getByRole('button', { name: 'Leave' }));
}

async function transferControlTo(page: Page, name: string) {
	await page.getByRole('button', { name: 'Transfer control' }).click();
	await page.getByRole('dialog').getByLabel(name).check();
	await page.getByRole('dialog').getByRole('button', { name: 'Transfer control', exact: true }).click();
	await gone(page.getByRole('dialog'));
}

describe('media', () => {
	it('a customer shares and the rep and the assistant see it; the rep shares and the customer sees it; transfer ends it all but voice', async () => {
		const ana = await person(browser);
		const jelena = await person(browser);
		const marko = await person(browser);
		// Ana's computer clock is three minutes slow: what her console counts from the server's moments is not.
		await ana.page.clock.install({ time: Date.now() - 3 * 60_000 });
		await signIn(ana.page, await createRep('Ana'));
		await signIn(jelena.page, await createRep('Jelena'));
		const number = await startSession(ana.page);
		await joinAsCustomer(marko.page, number, 'Marko');
		await assist(jelena.page, number);

		await customerShares(marko.page);
		await receivesFrames(ana.page, 'Screen of Marko');
		await receivesFrames(jelena.page, 'Screen of Marko');

		// The assistant watches but cannot share.
		expect(await jelena.page.getByRole('button', { name: 'Share my screen' }).count()).toBe(0);

		await ana.page.getByRole('button', { name: 'Share my screen' }).click();
		await receivesFrames(marko.page, 'Screen of Ana');

		await ana.page.getByRole('button', { name: 'Camera' }).click();
		await receivesFrames(marko.page, 'Camera of Ana');
		// Video the other way: the customer's camera reaches the rep.
		await marko.page.getByRole('button', { name: 'Turn on my camera' }).click();
		await marko.page.getByRole('dialog').getByRole('button', { name: 'Turn on camera' }).click();
		await receivesFrames(ana.page, 'Camera of Marko');

		// Voice both ways: the rep starts the call, the customer turns on the microphone.
		await ana.page.getByRole('button', { name: 'Voice call', exact: true }).click();
		await visible(marko.page.getByRole('button', { name: 'Turn on my microphone' }).and(marko.page.locator(':enabled')));
		await marko.page.getByRole('button', { name: 'Turn on my microphone' }).click();
		await marko.page.getByRole('dialog').getByRole('button', { name: 'Turn on microphone' }).click();
		await hearsVoice(ana.page, 'Voice of Marko');
		await hearsVoice(marko.page, 'Voice of Ana');
		await hearsVoice(jelena.page, 'Voice of Marko');
		await ana.page.getByRole('button', { name: 'Record' }).click();
		await visible(marko.page.getByText('This session is being recorded'));
		// The REC badge counts the recording's time (from 0:00, whatever Ana's clock says).
		const elapsed = ana.page.locator('[data-elapsed]');
		await waitFor(async () => /^0:0[1-9]$/.test((await elapsed.textContent()) ?? ''));

		// Transfer of control ends every share (both ways), video and recording; Jelena's console
		// supports voice, so the call goes on.
		await transferControlTo(ana.page, 'Jelena');
		// Marko is told why his share and camera stopped, and what he can do.
		await visible(marko.page.getByText('Jelena from Support is taking over'));
		await visible(marko.page.getByText('Your screen sharing stopped while support changed hands. You can share again.'));
		await visible(marko.page.getByText('Your camera was turned off while support changed hands. You can turn it on again.'));
		for (const page of [ana.page, jelena.page, marko.page]) {
			await gone(page.getByRole('figure').filter({ hasText: 'Screen of' }));
			await gone(page.getByRole('figure').filter({ hasText: 'Camera of' }));
		}
		await visible(marko.page.getByRole('button', { name: 'Share my screen' }));
		await gone(marko.page.getByText('This session is being recorded'));
		await visible(jelena.page.getByRole('button', { name: 'End voice call' }));
		// Ana is an assistant now: no sharing for her, but she is still in the voice call.
		await visible(ana.page.getByRole('button', { name: 'Hang up' }));
		expect(await ana.page.getByRole('button', { name: 'Share my screen' }).count()).toBe(0);

		for (const p of [ana, jelena, marko]) await p.context.close();
	});

	it('switching focus to another customer ends all sharing', async () => {
		const rep = await person(browser);
		const first = await person(browser);
		const second = await person(browser);
		await signIn(rep.page, await createRep('Focus'));
		const number = await startSession(rep.page);
		await joinAsCustomer(first.page, number, 'Prva');
		await joinAsCustomer(second.page, number, 'Druga');
		await customerShares(first.page);
		await receivesFrames(rep.page, 'Screen of Prva');
		await receivesFrames(second.page, 'Screen of Prva'); // every participant sees a share

		await rep.page.getByRole('complementary').getByRole('button', { name: 'Focus on Druga' }).click();
		await gone(rep.page.getByRole('figure').filter({ hasText: 'Screen of Prva' }));
		await visible(first.page.getByRole('button', { name: 'Share my screen' }));
		await waitFor(async () => (await second.page.getByRole('figure').filter({ hasText: 'Screen of Prva' }).count()) === 0);
		for (const p of [rep, first, second]) await p.context.close();
	});
});

describe('recording through the SFU', () => {
	it('each track goes to its own WebM whose duration matches the manifest', async () => {
		const rep = await person(browser);
		const customer = await person(browser);
		await signIn(rep.page, await createRep('Recorder'));
		const number = await startSession(rep.page);
		await joinAsCustomer(customer.page, number, 'Snimljena');
		await customerShares(customer.page);
		await receivesFrames(rep.page, 'Screen of Snimljena');
		await rep.page.getByRole('button', { name: 'Voice call', exact: true }).click();
		await visible(rep.page.getByRole('button', { name: 'End voice call' }));
		await rep.page.getByRole('button', { name: 'Record' }).click();
		await visible(customer.page.getByText('This session is being recorded'));
		await new Promise((r) => setTimeout(r, 5000));
		await rep.page.getByRole('button', { name: 'Stop recording' }).click();
		await gone(customer.page.getByText('This session is being recorded'));

		const sessionId = await rep.page.evaluate(() => document.querySelector('[data-session-id]')?.getAttribute('data-session-id'));
		const root = join(inject('dataDir'), 'recordings');
		let manifest: Manifest | null = null;
		await waitFor(() => {
			const dir = readdirSync(root).find((d) => !sessionId || d.startsWith(sessionId));
			if (!dir) return false;
			const m = JSON.parse(readFileSync(join(root, dir, 'manifest.json'), 'utf8')) as Manifest;
			if (m.status === 'recording') return false;
			manifest = { ...m, dir: join(root, dir) };
			return true;
		}, 20_000);
		const m = manifest as unknown as Manifest;
		expect(m.status).toBe('completed');
		expect(m.tracks.map((t) => t.source).sort()).toEqual(['microphone', 'screen']);
		for (const track of m.tracks) {
			const probed = Number(
				execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', join(m.dir, track.file)])
					.toString()
					.trim(),
			);
			const expected = (track.endedAt! - track.startedAt) / 1000;
			expect(Math.abs(probed - expected)).toBeLessThanOrEqual(1);
			expect(expected).toBeGreaterThan(2);
		}
		await rep.context.close();
		await customer.context.close();
	});
});

interface Manifest {
	dir: string;
	status: string;
	tracks: { file: string; source: string; startedAt: number; endedAt: number | null }[];
}
