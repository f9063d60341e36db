// A customer in Firefox ESR (puppeteer-core over WebDriver BiDi), run by the network test inside the
// customer's namespace with `ip netns exec … node firefoxCustomer.ts <site> <number> <name> <rep name>`.
// It joins, turns on the (fake) camera, and watches for the rep's shared screen; it says what it saw on
// stdout, one JSON line per step, and waits for a line on stdin before it closes the browser.
//   {"step":"joined"}  {"step":"camera"}  {"step":"screen","frames":N,"width":W,"colours":C,"csp":[…]}  or  {"step":"error",…}

import { createInterface } from 'node:readline';
import puppeteer, { type ElementHandle, type Page } from 'puppeteer-core';

const [site, number, name, repName] = process.argv.slice(2) as [string, string, string, string];
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const host = new URL(site).hostname;

/** Waits for something the page shows (polling a function in the page, with one text argument). */
async function until<T>(page: Page, what: string, fn: (arg: string) => T, arg = '', timeoutMs = 30_000): Promise<NonNullable<Awaited<T>>> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await page.evaluate(fn, arg).catch(() => null);
		if (value) return value as NonNullable<Awaited<T>>;
		if (Date.now() > deadline) throw new Error(`not seen in ${timeoutMs / 1000} s: ${what}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

/**
 * The form control a visible label names, or the button whose text this is — as a person finds them. Polled
 * from here: puppeteer's in-page poller (waitForFunction) uses eval in Firefox, which the page's
 * Content-Security-Policy refuses (seen since the landing is in the page's HTML: "Waiting failed").
 */
async function control(page: Page, kind: 'label' | 'button', text: string, timeoutMs = 30_000): Promise<ElementHandle<Element>> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const handle = await page
			.evaluateHandle(
				(k, t) => {
					if (k === 'label') return [...document.querySelectorAll('label')].find((l) => l.textContent?.trim() === t)?.control ?? null;
					return (
						[...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === t && !b.disabled && b.offsetParent !== null) ??
						null
					);
				},
				kind,
				text,
			)
			.catch(() => null);
		const element = handle?.asElement();
		if (element) return element as ElementHandle<Element>;
		await handle?.dispose();
		if (Date.now() > deadline) throw new Error(`not seen in ${timeoutMs / 1000} s: ${kind} ${text}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

const browser = await puppeteer.launch({
	browser: 'firefox',
	executablePath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
	headless: true,
	protocol: 'webDriverBiDi',
	extraPrefsFirefox: {
		'media.navigator.streams.fake': true,
		'media.navigator.permission.disabled': true,
		// The site is plain http on a private address here: treat it as the secure context a real site (https) is.
		'dom.securecontext.allowlist': host,
		'media.devices.insecure.enabled': true,
		'media.getusermedia.insecure.enabled': true,
		'intl.accept_languages': 'en-US, en',
	},
});
try {
	const page = await browser.newPage();
	// What the page's Content-Security-Policy refused (Firefox says so on the console): the test fails on any.
	const csp: string[] = [];
	page.on('console', (message) => {
		if (/Content[- ]Security[- ]Policy/i.test(message.text())) csp.push(message.text());
	});
	await page.goto(site);
	await (await control(page, 'label', 'Session number')).type(number);
	await (await control(page, 'label', 'Your name')).type(name);
	await (await control(page, 'button', 'Join')).click();
	await until(page, 'who is helping', () => document.body.innerText.includes('from Support is helping you'));
	say({ step: 'joined' });

	await (await control(page, 'button', 'Turn on my camera')).click();
	await (await control(page, 'button', 'Turn on camera')).click();
	await until(page, 'the camera on', () => [...document.querySelectorAll('button')].some((b) => b.textContent?.trim() === 'Stop camera'));
	say({ step: 'camera' });

	// Decoded frames: Firefox counts none in getVideoPlaybackQuality for a live stream, so count the frames it
	// presents (requestVideoFrameCallback) for a second, and check that the picture is not blank.
	const seen = await until(
		page,
		`Screen of ${repName}`,
		(label) => {
			const video = [...document.querySelectorAll('video')].find((v) => v.getAttribute('aria-label') === label);
			if (!video || video.videoWidth === 0) return null;
			return new Promise<{ frames: number; width: number; colours: number } | null>((resolve) => {
				let frames = 0;
				const count = () => {
					frames++;
					video.requestVideoFrameCallback(count);
				};
				video.requestVideoFrameCallback(count);
				setTimeout(() => {
					const canvas = document.createElement('canvas');
					canvas.width = 64;
					canvas.height = 36;
					const context = canvas.getContext('2d')!;
					context.drawImage(video, 0, 0, 64, 36);
					const pixels = context.getImageData(0, 0, 64, 36).data;
					const colours = new Set<number>();
					for (let i = 0; i < pixels.length; i += 4) colours.add((pixels[i]! << 16) | (pixels[i + 1]! << 8) | pixels[i + 2]!);
					resolve(frames > 0 ? { frames, width: video.videoWidth, colours: colours.size } : null);
				}, 1000);
			});
		},
		`Screen of ${repName}`,
		60_000,
	);
	say({ step: 'screen', ...seen, csp });
	// Stay in the session until the test is done with it.
	await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));
} catch (error) {
	const pages = await browser.pages();
	const seen = await pages
		.at(-1)
		?.evaluate(() =>
			[...document.querySelectorAll('video')].map((v) => ({
				label: v.getAttribute('aria-label'),
				readyState: v.readyState,
				width: v.videoWidth,
				paused: v.paused,
				frames: v.getVideoPlaybackQuality?.().totalVideoFrames,
				tracks: (v.srcObject as MediaStream | null)?.getTracks().map((t) => `${t.kind}:${t.readyState}:${t.muted}`),
			})),
		)
		.catch(() => null);
	say({ step: 'error', message: error instanceof Error ? error.message : String(error), videos: seen });
} finally {
	await browser.close();
}
