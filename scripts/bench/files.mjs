// `npm run bench` section: upload throughput (issue 10). A 200 MB file sent by a rep to a customer over
// loopback the way the pages send it — offered through the API, then its bytes by tus in 8 MiB PATCHes —
// beside a plain copy of the same bytes through a bare Node HTTP server that writes them to disk, in the
// same run. Figures and the ratio only — nothing here asserts a budget.
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { call, cookieFrom, fmt, now, startServer } from './product.mjs';

const SIZE = 200 * 1024 * 1024;
const CHUNK = 8 * 1024 * 1024; // UPLOAD_CHUNK_BYTES, as tus-js-client sends

/** One HTTP request with a body; resolves with the status and headers. */
function send(url, { method, headers, body }) {
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method, headers }, (res) => {
			res.resume();
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers }));
		});
		req.on('error', reject);
		req.end(body);
	});
}

/** The bare baseline: a Node server that writes each request's body to a file. */
async function bareCopy(bytes) {
	const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-bare-'));
	const server = http.createServer(async (req, res) => {
		await pipeline(req, createWriteStream(join(dir, 'copy.bin')));
		res.end('ok');
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const t = now();
	const { status } = await send(`http://127.0.0.1:${server.address().port}/`, {
		method: 'PUT',
		headers: { 'content-length': String(bytes.length) },
		body: bytes,
	});
	const ms = now() - t;
	server.close();
	rmSync(dir, { recursive: true, force: true });
	if (status !== 200) throw new Error(`bare copy: HTTP ${status}`);
	return ms;
}

export async function files() {
	console.log('\n## File transfer: a 200 MB upload by tus over loopback, beside a bare Node HTTP copy (PGlite)');
	const bytes = randomBytes(SIZE);
	const server = await startServer();
	try {
		const { baseUrl } = server;
		const admin = await call(baseUrl, 'auth.createFirstAdmin', {
			input: { name: 'Bench Admin', email: 'admin@bench.example', password: 'bench-password-1' },
		});
		const adminCookie = cookieFrom(admin.res, 'tandem_rep');
		await call(baseUrl, 'admin.updateSettings', { cookie: adminCookie, input: { fileSizeLimitMb: 1000 } });
		const { data: started } = await call(baseUrl, 'session.start', { cookie: adminCookie });
		await call(baseUrl, 'session.join', { input: { number: started.number, name: 'Customer' } });

		const bare = await bareCopy(bytes);

		const t = now();
		const { data: offer } = await call(baseUrl, 'files.offer', {
			cookie: adminCookie,
			input: { sessionId: started.id, name: 'big.bin', size: SIZE, mediaType: 'application/octet-stream' },
		});
		const created = await send(`${baseUrl}/console/api/files`, {
			method: 'POST',
			headers: {
				cookie: adminCookie,
				origin: baseUrl,
				'tus-resumable': '1.0.0',
				'upload-length': String(SIZE),
				'upload-metadata': `fileId ${Buffer.from(offer.fileId).toString('base64')}`,
				'content-length': '0',
			},
		});
		if (created.status !== 201) throw new Error(`tus create: HTTP ${created.status}`);
		const location = new URL(created.headers.location, baseUrl).href;
		for (let offset = 0; offset < SIZE; offset += CHUNK) {
			const body = bytes.subarray(offset, Math.min(SIZE, offset + CHUNK));
			const { status } = await send(location, {
				method: 'PATCH',
				headers: {
					cookie: adminCookie,
					origin: baseUrl,
					'tus-resumable': '1.0.0',
					'upload-offset': String(offset),
					'content-type': 'application/offset+octet-stream',
					'content-length': String(body.length),
				},
				body,
			});
			if (status !== 204) throw new Error(`tus PATCH at ${offset}: HTTP ${status}`);
		}
		const tandem = now() - t;
		const mbps = (ms) => ((SIZE / 1e6 / ms) * 1000).toFixed(0);
		console.log(`bare Node HTTP copy to disk       ${fmt(bare)} ms  (${mbps(bare)} MB/s)`);
		console.log(`Tandem: offer + tus upload        ${fmt(tandem)} ms  (${mbps(tandem)} MB/s; SHA-256 as the bytes arrive)`);
		console.log(`ratio to the bare copy: ${fmt(tandem / bare)}×`);
	} finally {
		await server.stop();
	}
}
