// Media figures for `scripts/bench.mjs` (issue 4): how fast a share reaches the rep, how fast a transfer
// of control stops every client's media, and what the Tandem SFU costs per forwarded stream next to a bare
// mediasoup script. Prints figures only; never asserts. Every child it starts (the product, the SFU, ffmpeg,
// Chromium) is stopped before it returns.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../tests/browser/chromiumFlags.ts';
import { freePort } from './product.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function percentile(values, p) {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
const summary = (values) =>
	`p50 ${Math.round(percentile(values, 50))} ms  p95 ${Math.round(percentile(values, 95))} ms  (${values.length} runs)`;

/** Children started here, so nothing outlives the bench. */
const children = new Set();
function track(child) {
	children.add(child);
	child.once('exit', () => children.delete(child));
	return child;
}
async function stopChild(child, signal = 'SIGTERM', graceMs = 5000) {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((r) => child.once('exit', r));
	child.kill(signal);
	const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
	await exited;
	clearTimeout(timer);
}
export const stopAll = () => Promise.all([...children].map((c) => stopChild(c, 'SIGKILL')));

// ---------------------------------------------------------------- the product in real Chromium

/** The built product on a free port with a fresh data directory (as tests/browser/server.ts starts it). */
export async function startProduct() {
	const dataDir = mkdtempSync(join(tmpdir(), 'tandem-bench-'));
	const port = await freePort();
	const baseUrl = `http://127.0.0.1:${port}`;
	const server = track(
		spawn(process.execPath, ['apps/console/server.js'], {
			cwd: ROOT,
			env: {
				...process.env,
				PORT: String(port),
				HOST: '127.0.0.1',
				TANDEM_DATA_DIR: dataDir,
				TANDEM_PUBLIC_URL: baseUrl,
				TANDEM_NUMBER_FREE_ATTEMPTS: '1000000',
				TANDEM_NUMBER_BACKOFF_BASE_MS: '1',
				TANDEM_NUMBER_BACKOFF_MAX_MS: '1',
			},
			stdio: ['ignore', 'pipe', 'pipe'],
		}),
	);
	let output = '';
	server.stdout.on('data', (d) => (output = (output + d).slice(-4000)));
	server.stderr.on('data', (d) => (output = (output + d).slice(-4000)));
	const stop = async () => {
		await stopChild(server, 'SIGTERM', 10_000);
		rmSync(dataDir, { recursive: true, force: true });
	};
	const deadline = Date.now() + 60_000;
	for (;;) {
		if (server.exitCode !== null) {
			await stop();
			throw new Error(`the product exited (${server.exitCode}): ${output.slice(-500)}`);
		}
		try {
			if ((await fetch(`${baseUrl}/console/api/trpc/auth.status`)).ok) break;
		} catch {
			/* not up yet */
		}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`the product did not come up in 60 s: ${output.slice(-500)}`);
		}
		await sleep(200);
	}
	return { baseUrl, stop };
}

async function trpcCall(baseUrl, path, input, { cookie, method = 'POST' } = {}) {
	const url = `${baseUrl}/console/api/trpc/${path}${method === 'GET' ? `?input=${encodeURIComponent(JSON.stringify(input))}` : ''}`;
	const res = await fetch(url, {
		method,
		headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
		body: method === 'POST' ? JSON.stringify(input) : undefined,
	});
	const body = await res.json();
	if (!res.ok || !body.result) throw new Error(`${path}: ${res.status} ${JSON.stringify(body.error ?? body)}`);
	const setCookie = res.headers.get('set-cookie');
	return { data: body.result.data, cookie: setCookie ? setCookie.split(';')[0] : null };
}

export async function createReps(baseUrl, names) {
	const admin = { name: 'Admin', email: 'admin@example.com', password: 'admin-password' };
	const status = await trpcCall(baseUrl, 'auth.status', undefined, { method: 'GET' });
	if (status.data.setupNeeded) await trpcCall(baseUrl, 'auth.createFirstAdmin', admin);
	const { cookie } = await trpcCall(baseUrl, 'auth.signIn', { email: admin.email, password: admin.password });
	const reps = [];
	for (const name of names) {
		const rep = { name, email: `${name.toLowerCase()}.${Date.now()}@example.com`, password: 'rep-password' };
		await trpcCall(baseUrl, 'admin.createRep', rep, { cookie });
		reps.push(rep);
	}
	return reps;
}

export async function person(browser, baseUrl) {
	const context = await browser.newContext({
		baseURL: baseUrl,
		locale: 'en-US',
		extraHTTPHeaders: { 'Accept-Language': 'en-US,en' },
		viewport: { width: 1280, height: 800 },
	});
	context.setDefaultTimeout(20_000);
	return { context, page: await context.newPage() };
}

export const visible = (l, timeout = 20_000) => l.first().waitFor({ state: 'visible', timeout });
const gone = (l, timeout = 20_000) => l.first().waitFor({ state: 'hidden', timeout });

export async function signIn(page, rep) {
	await page.goto('/console');
	await page.getByLabel('E-mail address').fill(rep.email);
	await page.getByLabel('Password').fill(rep.password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await visible(page.getByRole('button', { name: 'Start' }));
}

export async function startSession(page) {
	const before = await page.getByRole('tab').count();
	await page.getByRole('checkbox', { name: 'E-mail' }).setChecked(false);
	await page.getByRole('button', { name: 'Start' }).click();
	const deadline = Date.now() + 20_000;
	while ((await page.getByRole('tab').count()) !== before + 1) {
		if (Date.now() > deadline) throw new Error('the session did not start');
		await sleep(100);
	}
	return (await page.getByRole('toolbar').locator('[data-session-number]').textContent()).trim();
}

export async function joinAsCustomer(page, number, name) {
	await page.goto('/');
	await page.getByLabel('Session number').fill(number);
	await page.getByLabel('Your name').fill(name);
	await page.getByRole('button', { name: 'Join', exact: true }).click();
}

async function assist(page, number) {
	await page.getByRole('button', { name: 'Provide Support' }).click();
	await page.getByRole('menuitem', { name: 'Assist Session' }).click();
	await page.getByLabel('Session number').fill(number);
	await page.getByRole('button', { name: 'Join' }).click();
	await visible(page.getByRole('button', { name: 'Leave' }));
}

/** In the page: resolves with Date.now() of the first decoded frame of the <video> in the figure named `name`. */
export function firstFrameIn(page, name) {
	return page.evaluate(
		(name) =>
			new Promise((resolve, reject) => {
				const timeout = setTimeout(() => reject(new Error(`no frame of "${name}" in 30 s`)), 30_000);
				let hooked = null;
				const done = (at) => {
					clearTimeout(timeout);
					clearInterval(poll);
					resolve(at);
				};
				const poll = setInterval(() => {
					const figure = [...document.querySelectorAll('figure')].find((f) => f.textContent?.includes(name));
					const video = figure?.querySelector('video');
					if (!video) return;
					if (video !== hooked && 'requestVideoFrameCallback' in video) {
						hooked = video;
						// presentationTime is on the page's performance clock: to wall-clock ms, comparable across pages.
						video.requestVideoFrameCallback((_now, meta) => done(performance.timeOrigin + meta.presentationTime));
					}
					if ((video.getVideoPlaybackQuality?.().totalVideoFrames ?? 0) > 0) done(Date.now());
				}, 5);
			}),
		name,
	);
}

/** In the page: Date.now() of the next click on the button named `label` (a capture listener, set before the click). */
async function armClickTime(page, label) {
	await page.evaluate((label) => {
		window.__benchClickAt = new Promise((resolve) => {
			const onClick = (e) => {
				const button = e.target instanceof Element ? e.target.closest('button') : null;
				if (button && button.textContent?.trim() === label) {
					document.removeEventListener('click', onClick, true);
					resolve(Date.now());
				}
			};
			document.addEventListener('click', onClick, true);
		});
	}, label);
	return () => page.evaluate(() => window.__benchClickAt);
}

/** In the page: Date.now() when no screen/camera <video> remains (polled every 5 ms; with `needShareButton`, also once "Share my screen" is back). */
function mediaGoneIn(page, needShareButton) {
	return page.evaluate(
		(needShareButton) =>
			new Promise((resolve, reject) => {
				const timeout = setTimeout(() => reject(new Error('media still shown after 30 s')), 30_000);
				const poll = setInterval(() => {
					const media = [...document.querySelectorAll('figure')].some(
						(f) => /(Screen|Camera) of/.test(f.textContent ?? '') && f.querySelector('video'),
					);
					const shareBack =
						!needShareButton || [...document.querySelectorAll('button')].some((b) => b.textContent?.trim() === 'Share my screen');
					if (!media && shareBack) {
						clearTimeout(timeout);
						clearInterval(poll);
						resolve(Date.now());
					}
				}, 5);
			}),
		needShareButton,
	);
}

export async function receivesFrames(page, name, timeout = 30_000) {
	const video = page.getByRole('figure').filter({ hasText: name }).locator('video');
	await video.first().waitFor({ state: 'attached', timeout });
	await video.first().evaluate(
		(v, timeout) =>
			new Promise((resolve, reject) => {
				const t = setTimeout(() => reject(new Error('no frames')), timeout);
				const check = () =>
					(v.getVideoPlaybackQuality?.().totalVideoFrames ?? 0) > 0 ? (clearTimeout(t), resolve()) : setTimeout(check, 20);
				check();
			}),
		timeout,
	);
}

// Diagnosis knobs: BENCH_DEBUG=1 prints each run (per client for the transfer); BENCH_TRANSFER_NO_RECORDING=1
// runs the transfer without recording on (to see what stopping the recording adds).
const SHARE_RUNS = 8;
const TRANSFER_RUNS = 5;

/** Figures 1 and 2: the product in real Chromium (one server, one browser). */
export async function mediaInBrowser() {
	console.log('\n## Media');
	const { chromium } = await import('playwright-core');
	const product = await startProduct();
	let browser;
	try {
		browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
		const [repA, repB, repC] = await createReps(product.baseUrl, ['Ana', 'Jelena', 'Vesna']);

		// 1. share start → first decoded frame at the rep
		try {
			const rep = await person(browser, product.baseUrl);
			const customer = await person(browser, product.baseUrl);
			await signIn(rep.page, repC);
			const number = await startSession(rep.page);
			await joinAsCustomer(customer.page, number, 'Marko');
			await visible(customer.page.getByRole('button', { name: 'Share my screen' }));
			const times = [];
			for (let i = 0; i < SHARE_RUNS; i++) {
				await customer.page.getByRole('button', { name: 'Share my screen' }).click();
				const go = customer.page.getByRole('dialog').getByRole('button', { name: 'Choose what to share' });
				await visible(go);
				const clickAt = await armClickTime(customer.page, 'Choose what to share');
				const frame = firstFrameIn(rep.page, 'Screen of Marko');
				await go.click();
				const [t0, t1] = await Promise.all([clickAt(), frame]);
				times.push(t1 - t0);
				if (process.env.BENCH_DEBUG) console.log('    share: first frame after', t1 - t0);
				await customer.page.getByRole('button', { name: 'Stop sharing' }).click();
				await gone(rep.page.getByRole('figure').filter({ hasText: 'Screen of Marko' }));
				await visible(customer.page.getByRole('button', { name: 'Share my screen' }));
				await sleep(300);
			}
			console.log(`  share start → first decoded frame at the rep: ${summary(times)}`);
			await rep.context.close();
			await customer.context.close();
		} catch (err) {
			console.log(`  share start → first decoded frame at the rep: could not run — ${err.message.split('\n')[0]}`);
		}

		// 2. transfer → every client's media stopped. Control goes back and forth between two reps.
		try {
			const a = await person(browser, product.baseUrl);
			const b = await person(browser, product.baseUrl);
			const customer = await person(browser, product.baseUrl);
			await signIn(a.page, repA);
			await signIn(b.page, repB);
			const number = await startSession(a.page);
			await joinAsCustomer(customer.page, number, 'Petar');
			await assist(b.page, number);
			let [controller, assistant] = [
				{ ...a, rep: repA },
				{ ...b, rep: repB },
			];
			const times = [];
			for (let i = 0; i < TRANSFER_RUNS; i++) {
				await visible(customer.page.getByRole('button', { name: 'Share my screen' }));
				await customer.page.getByRole('button', { name: 'Share my screen' }).click();
				await customer.page.getByRole('dialog').getByRole('button', { name: 'Choose what to share' }).click();
				await visible(customer.page.getByRole('button', { name: 'Stop sharing' }));
				await receivesFrames(controller.page, 'Screen of Petar');
				await receivesFrames(assistant.page, 'Screen of Petar');
				await controller.page.getByRole('button', { name: 'Camera' }).click();
				await receivesFrames(customer.page, `Camera of ${controller.rep.name}`);
				const record = !process.env.BENCH_TRANSFER_NO_RECORDING; // diagnosis only: without recording on
				if (record) {
					await controller.page.getByRole('button', { name: 'Record' }).click();
					await visible(customer.page.getByText('This session is being recorded'));
				}

				await controller.page.getByRole('button', { name: 'Transfer control' }).click();
				await controller.page.getByRole('dialog').getByLabel(assistant.rep.name).check();
				const confirm = controller.page.getByRole('dialog').getByRole('button', { name: 'Transfer control', exact: true });
				await visible(confirm);
				const clickAt = await armClickTime(controller.page, 'Transfer control');
				const ends = [mediaGoneIn(controller.page, false), mediaGoneIn(assistant.page, false), mediaGoneIn(customer.page, true)];
				await confirm.click();
				const [t0, ...stopped] = await Promise.all([clickAt(), ...ends]);
				times.push(Math.max(...stopped) - t0);
				if (process.env.BENCH_DEBUG)
					console.log(
						'    transfer: controller, assistant, customer stopped after',
						stopped.map((t) => t - t0),
					);
				if (record) await gone(customer.page.getByText('This session is being recorded'));
				[controller, assistant] = [assistant, controller];
				await sleep(500);
			}
			console.log(`  transfer → every client's media stopped:      ${summary(times)}`);
			for (const p of [a, b, customer]) await p.context.close();
		} catch (err) {
			console.log(`  transfer → every client's media stopped: could not run — ${err.message.split('\n')[0]}`);
		}
	} finally {
		await browser?.close();
		await product.stop();
	}
}

// ---------------------------------------------------------------- SFU forwarding cost

const STREAMS = 4;
const VIEWERS = 2;
const WARMUP_MS = 3000;
const MEASURE_MS = 10_000;
const PT = 101;

/** The SFU tests' pre-encoded VP8 (apps/sfu/test/harness.ts testMedia(): same file, same folder, made once). */
async function testVideo() {
	const dir = join(tmpdir(), 'tandem-sfu-test-media-v2');
	mkdirSync(dir, { recursive: true });
	const target = join(dir, 'testsrc-vp8.webm');
	try {
		if (statSync(target).size > 0) return target;
	} catch {
		/* not made yet */
	}
	const partial = `${target}.${process.pid}.part.webm`;
	const ffmpeg = track(
		spawn(
			'ffmpeg',
			[
				'-hide_banner',
				'-nostats',
				'-loglevel',
				'error',
				'-f',
				'lavfi',
				'-i',
				'testsrc=size=640x360:rate=15',
				'-c:v',
				'libvpx',
				'-deadline',
				'realtime',
				'-cpu-used',
				'16',
				'-b:v',
				'300k',
				'-g',
				'8',
				'-t',
				'20',
				'-f',
				'webm',
				'-y',
				partial,
			],
			{ stdio: 'ignore' },
		),
	);
	const code = await new Promise((r) => ffmpeg.once('exit', r));
	if (code !== 0) throw new Error(`could not encode the test video (ffmpeg exit ${code})`);
	renameSync(partial, target);
	return target;
}

/** ffmpeg sending the VP8 file as RTP, looped, in real time. */
function sendVideo(file, target, ssrc) {
	const rtcp = target.rtcpPort === undefined ? '' : `rtcpport=${target.rtcpPort}&`;
	return track(
		spawn(
			'ffmpeg',
			[
				'-hide_banner',
				'-nostats',
				'-loglevel',
				'error',
				'-re',
				'-stream_loop',
				'-1',
				'-i',
				file,
				'-map',
				'0:v',
				'-c',
				'copy',
				'-payload_type',
				String(PT),
				'-ssrc',
				String(ssrc),
				'-f',
				'rtp',
				`rtp://${target.ip}:${target.port}?${rtcp}pkt_size=1200`,
			],
			{ stdio: 'ignore' },
		),
	);
}

const vp8RtpParameters = (ssrc) => ({ codecs: [{ mimeType: 'video/VP8', payloadType: PT, clockRate: 90000 }], encodings: [{ ssrc }] });

/** A local UDP pair (RTP, RTCP) counting the bytes a consumer sends to it. */
async function udpSink() {
	const bind = (s) => new Promise((r) => s.bind(0, '127.0.0.1', r));
	const rtp = createSocket('udp4');
	const rtcp = createSocket('udp4');
	await Promise.all([bind(rtp), bind(rtcp)]);
	const sink = { bytes: 0, port: rtp.address().port, rtcpPort: rtcp.address().port, close: () => (rtp.close(), rtcp.close()) };
	rtp.on('message', (m) => (sink.bytes += m.length));
	rtcp.on('message', () => {});
	return sink;
}

/**
 * Both setups, fed the same way: STREAMS senders (one participant each, source 'screen'), each consumed
 * by VIEWERS viewers on their own plain transports into local UDP sinks.
 * `api` hides the difference: { rtpCapabilities, sendTransport(p), produce(p, t, ssrc), recvTransport(v, sink), consume(v, t, producerId), cpuMs() }.
 */
async function forward(api, video) {
	const senders = [];
	const sinks = [];
	try {
		for (let i = 0; i < STREAMS; i++) {
			const ssrc = 11_000 + i;
			const transport = await api.sendTransport(`sender-${i}`);
			const producerId = await api.produce(`sender-${i}`, transport.id, ssrc);
			senders.push(sendVideo(video, transport, ssrc));
			for (let v = 0; v < VIEWERS; v++) {
				const sink = await udpSink();
				sinks.push(sink);
				const t = await api.recvTransport(`viewer-${v}`, sink);
				await api.consume(`viewer-${v}`, t, producerId);
			}
		}
		await sleep(WARMUP_MS);
		if (sinks.some((s) => s.bytes === 0)) throw new Error('a consumer received nothing');
		const bytes0 = sinks.reduce((n, s) => n + s.bytes, 0);
		const cpu0 = await api.cpuMs();
		const t0 = performance.now();
		await sleep(MEASURE_MS);
		const cpu1 = await api.cpuMs();
		const wall = performance.now() - t0;
		const bytes = sinks.reduce((n, s) => n + s.bytes, 0) - bytes0;
		return { percentPerStream: (((cpu1 - cpu0) / wall) * 100) / STREAMS, kbps: (bytes * 8) / wall / sinks.length };
	} finally {
		await Promise.all(senders.map((c) => stopChild(c, 'SIGKILL')));
		for (const s of sinks) s.close();
	}
}

async function tandemSfu(video) {
	const secret = 'bench-secret-0123456789';
	const port = await freePort();
	const recordings = mkdtempSync(join(tmpdir(), 'tandem-bench-rec-'));
	const sfu = track(
		spawn(process.execPath, ['apps/sfu/src/main.ts'], {
			cwd: ROOT,
			env: {
				...process.env,
				TANDEM_SFU_SECRET: secret,
				TANDEM_SFU_PORT: String(port),
				TANDEM_SFU_WORKERS: '1',
				TANDEM_SFU_LOG: 'warn',
				TANDEM_SFU_RTC_MIN_PORT: '44000',
				TANDEM_SFU_RTC_MAX_PORT: '44499',
				TANDEM_SFU_RECORDING_MIN_PORT: '44500',
				TANDEM_SFU_RECORDING_MAX_PORT: '44999',
				TANDEM_RECORDINGS_DIR: recordings,
			},
			stdio: ['ignore', 'ignore', 'pipe'],
		}),
	);
	let stderr = '';
	sfu.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
	const url = `http://127.0.0.1:${port}`;
	const call = async (method, path, body) => {
		const res = await fetch(url + path, {
			method,
			headers: { 'content-type': 'application/json', 'x-tandem-sfu-secret': secret },
			...(body === undefined ? {} : { body: JSON.stringify(body) }),
		});
		const json = await res.json();
		if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${JSON.stringify(json)}`);
		return json;
	};
	try {
		const deadline = Date.now() + 20_000;
		for (;;) {
			if (sfu.exitCode !== null) throw new Error(`the SFU exited: ${stderr.slice(-300)}`);
			const ok = await fetch(`${url}/health`, { headers: { 'x-tandem-sfu-secret': secret } }).then(
				(r) => r.ok,
				() => false,
			);
			if (ok) break;
			if (Date.now() > deadline) throw new Error('the SFU did not come up in 20 s');
			await sleep(100);
		}
		const S = '/sessions/bench';
		const { rtpCapabilities } = await call('POST', S);
		const workerCpu = async () => {
			const { workers } = await call('GET', '/stats');
			return workers.reduce((n, w) => n + w.cpu.userMs + w.cpu.systemMs, 0);
		};
		const result = await forward(
			{
				sendTransport: (p) => call('POST', `${S}/participants/${p}/plain-transports`, { direction: 'send' }),
				produce: async (p, transportId, ssrc) =>
					(
						await call('POST', `${S}/participants/${p}/produce`, {
							transportId,
							kind: 'video',
							source: 'screen',
							rtpParameters: vp8RtpParameters(ssrc),
						})
					).producerId,
				recvTransport: async (v, sink) => {
					const t = await call('POST', `${S}/participants/${v}/plain-transports`, { direction: 'recv' });
					await call('POST', `${S}/participants/${v}/transports/${t.id}/connect`, {
						ip: '127.0.0.1',
						port: sink.port,
						rtcpPort: sink.rtcpPort,
					});
					return t.id;
				},
				consume: async (v, transportId, producerId) => {
					const { consumerId } = await call('POST', `${S}/participants/${v}/consume`, { transportId, producerId, rtpCapabilities });
					await call('POST', `${S}/participants/${v}/consumers/${consumerId}/resume`);
				},
				cpuMs: workerCpu,
			},
			video,
		);
		await call('DELETE', S).catch(() => {});
		return result;
	} finally {
		await stopChild(sfu, 'SIGTERM', 8000);
		rmSync(recordings, { recursive: true, force: true });
	}
}

async function bareMediasoup(video) {
	const require = createRequire(join(ROOT, 'apps/sfu/package.json'));
	const mediasoup = await import(require.resolve('mediasoup'));
	const ms = mediasoup.default ?? mediasoup;
	const worker = await ms.createWorker({ logLevel: 'warn', disableLiburing: true, rtcMinPort: 45000, rtcMaxPort: 45499 });
	try {
		const router = await worker.createRouter({
			mediaCodecs: [
				{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
				{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
			],
		});
		const listenInfo = { protocol: 'udp', ip: '127.0.0.1', portRange: { min: 45000, max: 45499 } };
		const transports = new Map();
		return await forward(
			{
				sendTransport: async () => {
					const t = await router.createPlainTransport({ listenInfo, rtcpMux: false, comedia: true });
					transports.set(t.id, t);
					return { id: t.id, ip: t.tuple.localAddress ?? t.tuple.localIp, port: t.tuple.localPort, rtcpPort: t.rtcpTuple?.localPort };
				},
				produce: async (_p, transportId, ssrc) =>
					(await transports.get(transportId).produce({ kind: 'video', rtpParameters: vp8RtpParameters(ssrc) })).id,
				recvTransport: async (_v, sink) => {
					const t = await router.createPlainTransport({ listenInfo, rtcpMux: false, comedia: false });
					await t.connect({ ip: '127.0.0.1', port: sink.port, rtcpPort: sink.rtcpPort });
					transports.set(t.id, t);
					return t.id;
				},
				consume: async (_v, transportId, producerId) => {
					const consumer = await transports.get(transportId).consume({ producerId, rtpCapabilities: router.rtpCapabilities, paused: true });
					await consumer.resume();
					await consumer.requestKeyFrame().catch(() => {});
				},
				cpuMs: async () => {
					const u = await worker.getResourceUsage();
					return u.ru_utime + u.ru_stime;
				},
			},
			video,
		);
	} finally {
		const exited = new Promise((r) => {
			worker.once('subprocessclose', r);
			setTimeout(r, 5000).unref();
		});
		worker.close();
		await exited;
	}
}

/** Figure 3: CPU of a core per forwarded stream, the Tandem SFU (through its control API) and bare mediasoup. */
export async function sfuForwardingCost() {
	const label = `  forwarding ${STREAMS} streams × ${VIEWERS} viewers`;
	try {
		const video = await testVideo();
		const tandem = await tandemSfu(video);
		const bare = await bareMediasoup(video);
		console.log(
			`${label}: Tandem SFU ${tandem.percentPerStream.toFixed(2)}% of a core per stream, bare mediasoup ${bare.percentPerStream.toFixed(2)}% — ratio ${(tandem.percentPerStream / bare.percentPerStream).toFixed(2)}` +
				`  (${MEASURE_MS / 1000} s each; ${Math.round(tandem.kbps)} / ${Math.round(bare.kbps)} kbit/s per viewer)`,
		);
	} catch (err) {
		console.log(`${label}: could not run — ${err instanceof Error ? err.message : err}`);
	} finally {
		await stopAll();
	}
}

/** Both, in order (the bench's `sections` entry). */
export async function media() {
	try {
		await mediaInBrowser();
	} catch (err) {
		console.log(`  in the browser: could not run — ${err instanceof Error ? err.message.split('\n')[0] : err}`);
	} finally {
		await stopAll();
	}
	await sfuForwardingCost();
}
