// What people see, measured in real Chromium for `scripts/bench.mjs` (issue "What people see"): the
// landing's first load as Chromium transfers it and its first contentful paint; a shared screen's
// glass-to-glass latency and legibility (SSIM of 11 px text at 1920×1080); the remote pointer from the
// rep's mouse to the customer's screen. Each beside a bare baseline in the same run: a one-line page, a
// bare Chromium-to-Chromium RTCPeerConnection of the same source, a bare HTTP + Server-Sent Events relay.
// Prints figures only; never asserts.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../tests/browser/chromiumFlags.ts';
import { createReps, joinAsCustomer, person, receivesFrames, signIn, startProduct, startSession, stopAll, visible } from './media.mjs';
import { fmt, stats } from './product.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const kb = (bytes) => (bytes / 1024).toFixed(1);
const median = (values) => stats(values).p50;
const p50p95 = (values) => {
	const st = stats(values);
	return `p50 ${fmt(st.p50)} ms  p95 ${fmt(st.p95)} ms  (${st.n})`;
};
const ratio = (a, b) => (b > 0 ? (a / b).toFixed(2) : '—');

const LOAD_RUNS = 5;
const WARMUP_MS = 4000;
const MEASURE_MS = 10_000;
const POINTER_MOVES = 40;
const FIRST_LOAD_BUDGET = 25 * 1024;

// ---------------------------------------------------------------- in the page

/**
 * Put in every page of the bench: a 1920×1080 canvas of 11 px text with a frame counter painted as 16 black
 * or white blocks along the top (12 bits of the counter, 4 of a check), the reading of that counter from
 * each decoded frame of a <video>, a still of either, and the receiving RTCPeerConnections' stats.
 */
const IN_PAGE = `(() => {
	const W = 1920, H = 1080, BAND = 64, BITS = 16, BLOCK = 64, PITCH = 96;
	const pcs = [];
	const Original = window.RTCPeerConnection;
	if (Original) window.RTCPeerConnection = class extends Original { constructor(...a) { super(...a); pcs.push(this); } };
	const code = (n) => (n & 4095) | ((((n & 4095) * 7) & 15) << 12);
	function paintText(g) {
		g.fillStyle = '#fff'; g.fillRect(0, 0, W, H);
		g.fillStyle = '#1b1f24'; g.font = '11px "DejaVu Sans", sans-serif'; g.textBaseline = 'top';
		const words = 'Proxy 192.168.10.24:8080, bypass *.local; error 0x80072EFD (WinHTTP), retry in 30 s';
		let line = 0;
		for (let col = 0; col < 3; col++)
			for (let y = BAND + 12; y < H - 14; y += 14) g.fillText(String(line++).padStart(3, '0') + ' ' + words, 16 + col * 636, y, 612);
	}
	function paintCounter(g, n) {
		g.fillStyle = '#fff'; g.fillRect(0, 0, W, BAND);
		const v = code(n);
		g.fillStyle = '#000';
		for (let i = 0; i < BITS; i++) if ((v >> i) & 1) g.fillRect(8 + i * PITCH, 4, BLOCK, BAND - 8);
	}
	function source() {
		const canvas = document.createElement('canvas'); canvas.width = W; canvas.height = H;
		const g = canvas.getContext('2d'); paintText(g);
		let n = 0; const sent = {};
		const tick = () => { n++; paintCounter(g, n); sent[n & 4095] = performance.timeOrigin + performance.now(); };
		tick();
		const timer = setInterval(tick, 33);
		return { canvas, stream: canvas.captureStream(30), sent, stop: () => clearInterval(timer) };
	}
	function watch(video) {
		const got = [];
		const band = document.createElement('canvas');
		const g = band.getContext('2d', { willReadFrequently: true });
		let on = true;
		const each = (_now, meta) => {
			if (!on) return;
			const w = video.videoWidth, h = video.videoHeight, sx = w / W;
			band.width = w; band.height = Math.max(2, Math.ceil((BAND * h) / H));
			g.drawImage(video, 0, 0, w, band.height, 0, 0, w, band.height);
			const row = g.getImageData(0, band.height >> 1, w, 1).data;
			let v = 0;
			for (let i = 0; i < BITS; i++) {
				const x = Math.floor((8 + i * PITCH + BLOCK / 2) * sx) * 4;
				if (row[x] + row[x + 1] + row[x + 2] < 384) v |= 1 << i;
			}
			if (code(v & 4095) === v) got.push([v & 4095, performance.timeOrigin + meta.presentationTime]);
			video.requestVideoFrameCallback(each);
		};
		video.requestVideoFrameCallback(each);
		return { got, stop: () => (on = false) };
	}
	function still(from, width, height) {
		const c = document.createElement('canvas'); c.width = W; c.height = H;
		const g = c.getContext('2d'); g.imageSmoothingQuality = 'high';
		g.drawImage(from, 0, 0, W, H);
		g.fillStyle = '#fff'; g.fillRect(0, 0, W, BAND); // the counter differs frame to frame: not part of the text
		return { png: c.toDataURL('image/png').split(',')[1], width: width ?? W, height: height ?? H };
	}
	async function inbound() {
		let best = null;
		for (const pc of pcs) {
			if (pc.connectionState === 'closed') continue;
			(await pc.getStats()).forEach((r) => {
				if (r.type === 'inbound-rtp' && r.kind === 'video' && (!best || r.bytesReceived > best.bytesReceived)) best = r;
			});
		}
		return best && { bytes: best.bytesReceived, frames: best.framesDecoded, width: best.frameWidth, height: best.frameHeight, at: performance.now() };
	}
	/** Resolves once pc has all its candidates: its description then goes whole to the other page. */
	const gathered = (pc) =>
		pc.iceGatheringState === 'complete'
			? Promise.resolve()
			: new Promise((r) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()));
	window.__bench = { source, watch, still, inbound, gathered };
})();`;

// ---------------------------------------------------------------- a bare server: a one-line page and an SSE relay

function bareServer() {
	const listeners = new Set();
	const server = http.createServer((req, res) => {
		if (req.url === '/events') {
			res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
			res.write(': open\n\n');
			listeners.add(res);
			req.on('close', () => listeners.delete(res));
			return;
		}
		if (req.url === '/move' && req.method === 'POST') {
			let body = '';
			req.on('data', (d) => (body += d));
			req.on('end', () => {
				for (const l of listeners) l.write(`data: ${body}\n\n`);
				res.writeHead(204).end();
			});
			return;
		}
		res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
		res.end('<!doctype html><html lang="en"><title>Bare</title><p>Join a support session</p></html>');
	});
	return new Promise((resolve) =>
		server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() })),
	);
}

// ---------------------------------------------------------------- 1. the landing's first load

/** One cold load of `url` in a new context: JS+CSS bytes as Chromium received them (CDP), and the FCP. */
async function loadOnce(browser, url) {
	const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
	try {
		const page = await context.newPage();
		const cdp = await context.newCDPSession(page);
		await cdp.send('Network.enable');
		await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
		const types = new Map();
		const headers = new Map();
		const bytes = new Map();
		cdp.on('Network.responseReceived', (e) => {
			types.set(e.requestId, e.type);
			headers.set(e.requestId, e.response.encodedDataLength); // what had arrived by then: the headers
		});
		cdp.on('Network.loadingFinished', (e) => bytes.set(e.requestId, e.encodedDataLength));
		await page.goto(url, { waitUntil: 'networkidle' });
		const fcp = await page.evaluate(
			() =>
				new Promise((resolve) => {
					const found = performance.getEntriesByName('first-contentful-paint')[0];
					if (found) return resolve(found.startTime);
					new PerformanceObserver((list) => resolve(list.getEntries()[0].startTime)).observe({ type: 'paint', buffered: true });
				}),
		);
		let scripts = 0;
		let bodies = 0;
		let all = 0;
		for (const [id, n] of bytes) {
			all += n;
			if (types.get(id) !== 'Script' && types.get(id) !== 'Stylesheet') continue;
			scripts += n;
			bodies += n - (headers.get(id) ?? 0);
		}
		return { scripts, bodies, all, fcp };
	} finally {
		await context.close();
	}
}

async function landing(browser, baseUrl, bare) {
	const tandem = [];
	const baseline = [];
	for (let i = 0; i < LOAD_RUNS; i++) {
		tandem.push(await loadOnce(browser, `${baseUrl}/`));
		baseline.push(await loadOnce(browser, `${bare.url}/`));
	}
	const med = (rows, key) => median(rows.map((r) => r[key]));
	const bodies = med(tandem, 'bodies');
	console.log(
		`  landing's JS+CSS before the first click, as Chromium received it (CDP encodedDataLength): ${kb(bodies)} KB of compressed bodies — ` +
			`${bodies <= FIRST_LOAD_BUDGET ? 'within' : 'OVER'} the 25 KB budget; ${kb(med(tandem, 'scripts'))} KB with their HTTP headers; ` +
			`everything, HTML and feed included, ${kb(med(tandem, 'all'))} KB`,
	);
	console.log(
		`  landing first contentful paint: median ${fmt(med(tandem, 'fcp'))} ms; a bare one-line page ${fmt(med(baseline, 'fcp'))} ms — ratio ${ratio(med(tandem, 'fcp'), med(baseline, 'fcp'))}  (${LOAD_RUNS} cold loads each, 390×844)`,
	);
}

// ---------------------------------------------------------------- 2. a shared screen: glass to glass, legibility

/** With the source already flowing to `viewer`'s `videoHandle`: latency of each frame, then a still and the stats. */
async function measureShare(sender, viewer, videoHandle, files, label) {
	await sleep(WARMUP_MS);
	const before = await viewer.evaluate(() => window.__bench.inbound());
	await viewer.evaluate((v) => (window.__watching = window.__bench.watch(v)), videoHandle);
	await sleep(MEASURE_MS);
	const got = await viewer.evaluate(() => {
		window.__watching.stop();
		return window.__watching.got;
	});
	const after = await viewer.evaluate(() => window.__bench.inbound());
	const sent = await sender.evaluate(() => window.__source.sent);
	const latencies = got.map(([n, at]) => at - sent[n]).filter((v) => Number.isFinite(v) && v >= 0 && v < 5000);
	const seconds = before && after ? (after.at - before.at) / 1000 : 0;
	const kbps = seconds ? ((after.bytes - before.bytes) * 8) / 1000 / seconds : 0;
	const fps = seconds ? (after.frames - before.frames) / seconds : 0;
	const seen = await viewer.evaluate((v) => window.__bench.still(v, v.videoWidth, v.videoHeight), videoHandle);
	const shown = await sender.evaluate(() => window.__bench.still(window.__source.canvas));
	const a = join(files, `${label}-viewer.png`);
	const b = join(files, `${label}-source.png`);
	writeFileSync(a, Buffer.from(seen.png, 'base64'));
	writeFileSync(b, Buffer.from(shown.png, 'base64'));
	return { latencies, kbps, fps, width: after?.width ?? seen.width, height: after?.height ?? seen.height, ssim: await ssim(a, b) };
}

function ssim(a, b) {
	return new Promise((resolve, reject) => {
		const ff = spawn('ffmpeg', ['-hide_banner', '-i', a, '-i', b, '-lavfi', 'ssim', '-f', 'null', '-'], {
			stdio: ['ignore', 'ignore', 'pipe'],
		});
		let err = '';
		ff.stderr.on('data', (d) => (err += d));
		ff.on('error', reject);
		ff.on('exit', () => {
			const m = /All:([0-9.]+)/.exec(err);
			m ? resolve(Number(m[1])) : reject(new Error(`ffmpeg ssim: ${err.slice(-200)}`));
		});
	});
}

const shareLine = (r) =>
	`${p50p95(r.latencies)}; SSIM ${r.ssim.toFixed(4)} at ${r.width}×${r.height}, ${Math.round(r.kbps)} kbit/s, ${r.fps.toFixed(1)} fps`;

/** The same source through a bare RTCPeerConnection between two pages of one Chromium (SDP passed here). */
async function bareShare(browser, bare, files) {
	const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
	await context.addInitScript({ content: IN_PAGE });
	try {
		const sender = await context.newPage();
		const viewer = await context.newPage();
		await sender.goto(bare.url);
		await viewer.goto(bare.url);
		const offer = await sender.evaluate(async () => {
			const source = (window.__source = window.__bench.source());
			const track = source.stream.getVideoTracks()[0];
			track.contentHint = 'detail'; // the same source as Tandem's: a screen of text
			const pc = (window.__pc = new RTCPeerConnection());
			pc.addTrack(track, source.stream);
			await pc.setLocalDescription(await pc.createOffer());
			await window.__bench.gathered(pc);
			return pc.localDescription.sdp;
		});
		const answer = await viewer.evaluate(async (offer) => {
			const pc = (window.__pc = new RTCPeerConnection());
			pc.ontrack = (e) => {
				const video = document.createElement('video');
				Object.assign(video, { muted: true, autoplay: true, playsInline: true, srcObject: new MediaStream([e.track]) });
				video.style.width = '960px';
				document.body.append(video);
				window.__video = video;
				void video.play();
			};
			await pc.setRemoteDescription({ type: 'offer', sdp: offer });
			await pc.setLocalDescription(await pc.createAnswer());
			await window.__bench.gathered(pc);
			return pc.localDescription.sdp;
		}, offer);
		await sender.evaluate((sdp) => window.__pc.setRemoteDescription({ type: 'answer', sdp }), answer);
		await viewer.waitForFunction(() => (window.__video?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > 0, null, { timeout: 20_000 });
		const video = await viewer.evaluateHandle(() => window.__video);
		return await measureShare(sender, viewer, video, files, 'bare');
	} finally {
		await context.close();
	}
}

// ---------------------------------------------------------------- 3. the remote pointer

/** In `page`: the time each mouse move reaches `selector` (a capture listener), as [x, y, wall ms]. */
const armMoves = (page, selector) =>
	page.evaluate((selector) => {
		window.__moves = [];
		document
			.querySelector(selector)
			.addEventListener(
				'pointermove',
				(e) => window.__moves.push([e.clientX, e.clientY, performance.timeOrigin + performance.now()]),
				true,
			);
	}, selector);

/** In `page`: each place the pointer element under `root` is drawn at (its left/top in %), with the frame's time. */
const armDrawn = (page, root, pointer) =>
	page.evaluate(
		({ root, pointer }) => {
			window.__drawn = [];
			const at = document.querySelector(root);
			new MutationObserver(() => {
				const el = at.querySelector(pointer);
				if (!el) return;
				const place = [parseFloat(el.style.left), parseFloat(el.style.top)];
				requestAnimationFrame(() => window.__drawn.push([...place, performance.timeOrigin + performance.now()]));
			}).observe(at, { subtree: true, childList: true, attributes: true, attributeFilter: ['style'] });
		},
		{ root, pointer },
	);

/** Moves the mouse over `box` to POINTER_MOVES places; each one's delay to being drawn at the other page. */
async function pointerDelays(mover, watcher, box) {
	const targets = [];
	for (let i = 0; i < POINTER_MOVES; i++) {
		const x = 0.1 + 0.8 * (((i * 7) % 13) / 12);
		const y = 0.15 + 0.7 * (((i * 5) % 11) / 10);
		targets.push([x, y]);
		await mover.mouse.move(box.x + x * box.width, box.y + y * box.height);
		await sleep(150); // apart by more than the pointer's 30 ms pace: every move is told
	}
	await sleep(300);
	const moves = await mover.evaluate(() => window.__moves);
	const drawn = await watcher.evaluate(() => window.__drawn);
	const delays = [];
	for (const [x, y] of targets) {
		const move = moves.find(([mx, my]) => Math.abs(mx - (box.x + x * box.width)) < 1.5 && Math.abs(my - (box.y + y * box.height)) < 1.5);
		const seen = move && drawn.find(([l, t, at]) => at >= move[2] && Math.abs(l - x * 100) < 0.5 && Math.abs(t - y * 100) < 0.5);
		if (move && seen) delays.push(seen[2] - move[2]);
	}
	return delays;
}

/** The bare relay: a fetch POST per move, Server-Sent Events to the other page, which moves a div. */
async function barePointer(browser, bare) {
	const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
	try {
		const mover = await context.newPage();
		const watcher = await context.newPage();
		for (const page of [mover, watcher]) {
			await page.goto(bare.url);
			await page.evaluate(() => {
				document.body.innerHTML =
					'<div id="surface" style="position:relative;width:800px;height:450px;background:#ddd"><div id="dot" style="position:absolute;left:0%;top:0%">•</div></div>';
			});
		}
		await watcher.evaluate(
			() =>
				new Promise((resolve) => {
					const events = new EventSource('/events');
					events.onopen = resolve;
					events.onmessage = (e) => {
						const [x, y] = JSON.parse(e.data);
						const dot = document.getElementById('dot');
						dot.style.left = `${x * 100}%`;
						dot.style.top = `${y * 100}%`;
					};
				}),
		);
		await mover.evaluate(() => {
			const surface = document.getElementById('surface');
			surface.addEventListener('pointermove', (e) => {
				const r = surface.getBoundingClientRect();
				void fetch('/move', { method: 'POST', body: JSON.stringify([(e.clientX - r.x) / r.width, (e.clientY - r.y) / r.height]) });
			});
		});
		await armMoves(mover, '#surface');
		await armDrawn(watcher, '#surface', '#dot');
		return await pointerDelays(mover, watcher, await mover.locator('#surface').boundingBox());
	} finally {
		await context.close();
	}
}

// ---------------------------------------------------------------- the section

export async function stage() {
	console.log('\n## What people see');
	const { chromium } = await import('playwright-core');
	const files = mkdtempSync(join(tmpdir(), 'tandem-stage-'));
	const bare = await bareServer();
	let product;
	let browser;
	try {
		product = await startProduct();
		// Host candidates as they are (not mDNS names): the bare peer connection is page to page on loopback.
		browser = await chromium.launch({
			executablePath: CHROMIUM_PATH,
			args: [...CHROMIUM_ARGS, '--disable-features=WebRtcHideLocalIpsWithMdns'],
		});
		try {
			await landing(browser, product.baseUrl, bare);
		} catch (err) {
			console.log(`  landing: could not run — ${err.message.split('\n')[0]}`);
		}

		let tandemShare = null;
		let tandemPointer = null;
		try {
			const [repAna] = await createReps(product.baseUrl, ['Ana']);
			const rep = await person(browser, product.baseUrl);
			const customer = await person(browser, product.baseUrl);
			await rep.context.addInitScript({ content: IN_PAGE });
			await customer.context.addInitScript({ content: IN_PAGE });
			await signIn(rep.page, repAna);
			const number = await startSession(rep.page);
			await joinAsCustomer(customer.page, number, 'Marko');
			await visible(customer.page.getByRole('button', { name: 'Share my screen' }));
			// The customer's "screen" is the bench's canvas: the browser's picker is what the test flags skip.
			await customer.page.evaluate(() => {
				window.__source = window.__bench.source();
				navigator.mediaDevices.getDisplayMedia = async () => window.__source.stream;
			});
			await customer.page.getByRole('button', { name: 'Share my screen' }).click();
			await customer.page.getByRole('dialog').getByRole('button', { name: 'Choose what to share' }).click();
			await receivesFrames(rep.page, 'Screen of Marko');
			const view = rep.page.getByRole('figure').filter({ hasText: 'Screen of Marko' });
			const video = await view.locator('video').first().elementHandle();
			tandemShare = await measureShare(customer.page, rep.page, video, files, 'tandem');

			// The pointer: Ana's mouse over the customer's screen, drawn on the customer's own view of it.
			await view.getByRole('button', { name: 'Pointer', exact: true }).click();
			const surface = view.locator('.surface');
			await rep.page.evaluate(() => document.querySelector('figure .surface')?.setAttribute('data-bench', 'surface'));
			await armMoves(rep.page, '[data-bench="surface"]');
			await customer.page.evaluate(() => {
				const figure = [...document.querySelectorAll('figure')].find((f) => f.textContent?.includes('Your shared screen'));
				figure?.querySelector('.surface')?.setAttribute('data-bench', 'surface');
			});
			await armDrawn(customer.page, '[data-bench="surface"]', '[data-pointer="Ana"]');
			tandemPointer = await pointerDelays(rep.page, customer.page, await surface.boundingBox());
			await rep.context.close();
			await customer.context.close();
		} catch (err) {
			console.log(`  Tandem share: could not run — ${err.message.split('\n')[0]}`);
		}
		let bareShareResult = null;
		try {
			bareShareResult = await bareShare(browser, bare, files);
		} catch (err) {
			console.log(`  bare RTCPeerConnection: could not run — ${err.message.split('\n')[0]}`);
		}
		if (tandemShare) console.log(`  screen share glass-to-glass, Tandem (via the SFU): ${shareLine(tandemShare)}`);
		if (bareShareResult) console.log(`  the same source, bare RTCPeerConnection:          ${shareLine(bareShareResult)}`);
		if (tandemShare && bareShareResult)
			console.log(
				`  ratios Tandem / bare: latency p50 ${ratio(median(tandemShare.latencies), median(bareShareResult.latencies))}, ` +
					`SSIM ${ratio(tandemShare.ssim, bareShareResult.ssim)}  (1920×1080 canvas of 11 px text, 30 fps; SSIM of the text, the counter band left out)`,
			);
		let bareDelays = null;
		try {
			bareDelays = await barePointer(browser, bare);
		} catch (err) {
			console.log(`  bare pointer relay: could not run — ${err.message.split('\n')[0]}`);
		}
		if (tandemPointer) console.log(`  pointer move → drawn at the customer, Tandem: ${p50p95(tandemPointer)} of ${POINTER_MOVES} moves`);
		if (bareDelays) console.log(`  the same over a bare fetch + SSE relay:      ${p50p95(bareDelays)}`);
		if (tandemPointer?.length && bareDelays?.length)
			console.log(`  ratio Tandem / bare pointer p50: ${ratio(median(tandemPointer), median(bareDelays))}`);
	} finally {
		await browser?.close();
		await product?.stop();
		bare.close();
		await stopAll();
		rmSync(files, { recursive: true, force: true });
	}
}
