// Reports and the survey (SPEC §10) as people meet them: the customer rates the session on the closing
// screen (once: the form is gone once answered), the rep opens Reports, finds the ended session, reads its
// report — who was there, the chat, the survey — plays its recording in the usual player and downloads its
// CSV, which a real CSV parser reads back with the odd name and the Serbian letters intact. Once in Serbian.

import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, person } from './chromium.ts';
import { createRep, joinAsCustomer, signIn, siteNow, startSession, visible, waitFor } from './support.ts';

const run = promisify(execFile);
const media = mkdtempSync(join(tmpdir(), 'tandem-report-tracks-'));
let browser: Browser;

beforeAll(async () => {
	await Promise.all([
		launchChromium().then((b) => (browser = b)),
		run('ffmpeg', [
			...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=15', '-t', '2'],
			...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', join(media, 'video.webm')],
		]),
	]);
});
afterAll(async () => {
	await browser?.close();
	rmSync(media, { recursive: true, force: true });
});

/** A 2 s recording of the rep's screen, laid out as the media server lays it out. */
function putRecording(sessionId: string, participantId: string) {
	const recordingId = `${sessionId}-9000002`;
	const folder = join(inject('dataDir'), 'recordings', recordingId);
	mkdirSync(folder, { recursive: true });
	copyFileSync(join(media, 'video.webm'), join(folder, 'screen.webm'));
	const t0 = siteNow();
	const track = { participantId, status: 'completed', file: 'screen.webm', producerId: 'p1', source: 'screen', kind: 'video' };
	writeFileSync(
		join(folder, 'manifest.json'),
		JSON.stringify({
			recordingId,
			sessionId,
			startedAt: t0,
			endedAt: t0 + 2000,
			status: 'completed',
			tracks: [{ ...track, codec: 'video/VP8', startedAt: t0, endedAt: t0 + 2000 }],
		}),
	);
}

async function write(page: Page, text: string, region: string, message: string) {
	const box = page.getByRole('region', { name: region }).getByRole('textbox', { name: message });
	await box.fill(text);
	await box.press('Enter');
}

const ODD_NAME = '=Đorđe "Đoka", Jr.';
const ODD_LINE = 'Zdravo, "štampač" ne radi; čćžšđ';

describe('reports and the survey', () => {
	it('the customer rates the session; the rep opens its report, plays its recording and downloads its CSV', async () => {
		const rep = await person(browser);
		const customer = await person(browser);
		const nina = await createRep('Nina');
		await signIn(rep.page, nina);
		const number = await startSession(rep.page);
		await joinAsCustomer(customer.page, number, ODD_NAME);
		await write(customer.page, ODD_LINE, 'Chat', 'Message');
		await visible(rep.page.getByRole('region', { name: 'Chat' }).getByText(ODD_LINE));
		const session = await rep.page.evaluate(async () => {
			const res = await fetch('/console/api/trpc/reports.history?input=' + encodeURIComponent(JSON.stringify({})));
			return ((await res.json()) as { result: { data: { rows: { id: string }[] } } }).result.data.rows[0]!.id;
		});
		const controller = await rep.page.evaluate(async (id) => {
			const res = await fetch('/console/api/trpc/reports.session?input=' + encodeURIComponent(JSON.stringify({ sessionId: id })));
			return ((await res.json()) as { result: { data: { participants: { id: string; name: string }[] } } }).result.data.participants[0]!.id;
		}, session);
		putRecording(session, controller);

		await rep.page.getByRole('button', { name: 'End session' }).click();
		await rep.page.getByRole('dialog').getByRole('button', { name: 'End session' }).click();

		// The closing screen asks, once.
		const survey = customer.page.getByRole('form', { name: 'How did we do?' });
		await visible(survey);
		await expect.poll(() => survey.getByRole('button', { name: 'Send rating' }).isDisabled()).toBe(true);
		await survey.getByRole('radio', { name: '4 of 5: Good' }).check({ force: true });
		await survey.getByLabel('Comment (optional)').fill('Brzo i ljubazno, hvala!');
		await survey.getByRole('button', { name: 'Send rating' }).click();
		await visible(customer.page.getByText('Thank you for your rating!'));
		expect(await customer.page.getByRole('form', { name: 'How did we do?' }).count()).toBe(0);

		// The rep's Reports: the session, its average, its report.
		await rep.page.getByRole('button', { name: 'Reports' }).click();
		const reports = rep.page.getByRole('dialog', { name: 'Reports' });
		await visible(reports.getByText('Survey: 4 of 5 on average · answers: 1'));
		const row = reports.getByRole('row').filter({ hasText: number });
		await visible(row.getByText(ODD_NAME));
		await row.getByRole('button', { name: `Open the report of session ${number}` }).click();
		await visible(reports.getByRole('heading', { name: `Session ${number}` }));
		await visible(reports.getByRole('region', { name: 'Participants' }).getByText(ODD_NAME));
		await visible(reports.getByRole('region', { name: 'Chat transcript' }).getByText(ODD_LINE));
		await visible(reports.getByRole('region', { name: 'Control and transfers' }).getByText('Nina ended the session: ended by the rep'));
		const surveyed = reports.getByRole('region', { name: 'Survey' });
		await visible(surveyed.getByText('Brzo i ljubazno, hvala!'));
		await visible(surveyed.getByRole('img', { name: '4 of 5' }));

		// Its recording plays in the usual player.
		const recordings = reports.getByRole('region', { name: 'Recordings' });
		await recordings.getByRole('button', { name: /^Play the recording of / }).click();
		const video = recordings.locator('video[data-track="screen.webm"]');
		await waitFor(() => video.evaluate((v: HTMLVideoElement) => v.readyState >= 1 && v.videoWidth === 320));
		await recordings.getByRole('button', { name: 'Play', exact: true }).click();
		await waitFor(() => video.evaluate((v: HTMLVideoElement) => v.currentTime > 0.2));

		// Its CSV downloads and parses back whole.
		const [download] = await Promise.all([rep.page.waitForEvent('download'), reports.getByRole('link', { name: 'Download CSV' }).click()]);
		expect(download.suggestedFilename()).toBe(`tandem-session-${number.replace(/\s/g, '')}.csv`);
		const records = parse(readFileSync((await download.path())!), { bom: true }) as string[][];
		expect(records[0]).toEqual(['Section', 'Time (UTC)', 'Who', 'What', 'Detail']);
		expect(records.find((r) => r[4] === ODD_LINE)?.[2]).toBe(`'${ODD_NAME}`);
		expect(records.find((r) => r[0] === 'Survey')).toEqual([
			'Survey',
			expect.stringMatching(/^\d{4}-/),
			`'${ODD_NAME}`,
			'4',
			'Brzo i ljubazno, hvala!',
		]);

		// Back to the history: focus returns to the row's button.
		await reports.getByRole('button', { name: /Back to the history/ }).click();
		await waitFor(() =>
			rep.page.evaluate(() => document.activeElement?.getAttribute('aria-label')?.startsWith('Open the report') ?? false),
		);
		await rep.context.close();
		await customer.context.close();
	});

	it('in Serbian: Izveštaji, the survey and its answer', async () => {
		const rep = await person(browser, 'sr-Latn-RS');
		const customer = await person(browser, 'sr-Latn-RS');
		await rep.page.goto('/console');
		await signIn(rep.page, await createRep('Jelena', { language: 'sr' }), {
			email: 'Adresa e-pošte',
			password: 'Lozinka',
			signIn: 'Prijavi se',
		});
		const number = await startSession(rep.page);
		await joinAsCustomer(customer.page, number, 'Marko Š.', { number: 'Broj sesije', name: 'Vaše ime', join: 'Pridruži se' });
		await visible(rep.page.getByRole('region', { name: 'Ćaskanje' }).getByText(/Marko Š\./));
		await rep.page.getByRole('button', { name: 'Završi sesiju' }).click();
		await rep.page.getByRole('dialog').getByRole('button', { name: 'Završi sesiju' }).click();

		const survey = customer.page.getByRole('form', { name: 'Kako smo vam pomogli?' });
		await visible(survey);
		await survey.getByRole('radio', { name: '5 od 5: Odlično' }).check({ force: true });
		await survey.getByLabel('Komentar (nije obavezan)').fill('Odlična podrška, čđćžš');
		await survey.getByRole('button', { name: 'Pošalji ocenu' }).click();
		await visible(customer.page.getByText('Hvala na oceni!'));

		await rep.page.getByRole('button', { name: 'Izveštaji' }).click();
		const reports = rep.page.getByRole('dialog', { name: 'Izveštaji' });
		await reports.getByRole('button', { name: `Otvori izveštaj sesije ${number}` }).click();
		const surveyed = reports.getByRole('region', { name: 'Anketa' });
		await visible(surveyed.getByText('Odlična podrška, čđćžš'));
		await visible(surveyed.getByRole('img', { name: '5 od 5' }));
		await visible(reports.getByRole('region', { name: 'Učesnici' }).getByText('Marko Š.'));
		await rep.context.close();
		await customer.context.close();
	});
});
