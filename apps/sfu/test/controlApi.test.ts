import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { types as ms } from 'mediasoup';
import type { CreatePlainTransportResponse, ProduceResponse, ProducerInfo, SfuEvent, SfuStats } from '@tandem/sfu-contract';
import { childProcessNames, startTestSfu, stopChildren, vp8RtpParameters, waitFor, type TestSfu } from './harness.ts';

// The contract carries mediasoup's parameter objects as opaque JSON; these tests read inside them.
type CreateSessionResponse = { rtpCapabilities: ms.RtpCapabilities };
type CreateTransportResponse = { id: string; iceCandidates: ms.IceCandidate[]; dtlsParameters: ms.DtlsParameters };

let sfu: TestSfu;
beforeAll(async () => {
	sfu = await startTestSfu();
});
afterAll(async () => {
	await stopChildren();
	await sfu?.stop();
	expect(await childProcessNames()).toEqual([]);
});

const sendTransport = (sessionId: string, participantId: string) =>
	sfu.call<CreateTransportResponse>('POST', `/sessions/${sessionId}/participants/${participantId}/transports`, { direction: 'send' });

describe('control API', () => {
	it('refuses requests without the shared secret (401)', async () => {
		expect(await sfu.raw('GET', '/stats', { secret: null })).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
		expect(await sfu.raw('POST', '/sessions/s-auth', { secret: 'wrong-secret-0123456789' })).toMatchObject({ status: 401 });
		expect(await sfu.raw('GET', '/stats')).toMatchObject({ status: 200 });
	});

	it('creates a session idempotently, with VP8 and Opus only, and closes it', async () => {
		const first = await sfu.call<CreateSessionResponse>('POST', '/sessions/s-create');
		const again = await sfu.call<CreateSessionResponse>('POST', '/sessions/s-create');
		expect(again).toEqual(first);
		const mimeTypes = first.rtpCapabilities.codecs!.map((c) => c.mimeType).filter((m) => !m.endsWith('/rtx'));
		expect(mimeTypes.sort()).toEqual(['audio/opus', 'video/VP8']);
		expect((await sfu.call<SfuStats>('GET', '/stats')).sessions).toBe(1);
		expect(await sfu.call('DELETE', '/sessions/s-create')).toEqual({ ok: true, recording: null });
		expect(await sfu.raw('GET', '/sessions/s-create/producers')).toMatchObject({ status: 404, body: { error: { code: 'not-found' } } });
		expect(await sfu.call('DELETE', '/sessions/s-create')).toEqual({ ok: true, recording: null }); // idempotent
	});

	it('answers bad input with 400 and a reason', async () => {
		await sfu.call('POST', '/sessions/s-bad');
		expect(await sfu.raw('POST', '/sessions/s-bad/participants/p1/transports', { body: '{not json' })).toMatchObject({
			status: 400,
			body: { error: { code: 'bad-json' } },
		});
		const wrongDirection = await sfu.raw('POST', '/sessions/s-bad/participants/p1/transports', {
			body: JSON.stringify({ direction: 'sideways' }),
		});
		expect(wrongDirection).toMatchObject({ status: 400, body: { error: { code: 'invalid-request' } } });
		expect(wrongDirection.body.error.message).toMatch(/direction/);
		expect(await sfu.raw('POST', '/sessions/bad%20id')).toMatchObject({ status: 400 });
		expect(await sfu.raw('POST', '/sessions/nope/participants/p1/transports', { body: '{"direction":"send"}' })).toMatchObject({
			status: 404,
		});
		expect(await sfu.raw('GET', '/no/such/thing')).toMatchObject({ status: 404 });
		await sfu.call('DELETE', '/sessions/s-bad');
	});

	it('gives each participant its own transports, and refuses another participant’s (403)', async () => {
		await sfu.call('POST', '/sessions/s-own');
		const times: number[] = [];
		const transports: CreateTransportResponse[] = [];
		for (let i = 0; i < 10; i++) {
			const t0 = performance.now();
			// Ten participants (one of them alice): a participant holds at most two transports each way.
			transports.push(await sendTransport('s-own', i === 0 ? 'alice' : `p${i}`));
			times.push(performance.now() - t0);
		}
		const alice = transports[0]!;
		expect(alice.iceCandidates.map((c) => c.protocol).sort()).toEqual(['tcp', 'udp']);
		const udp = alice.iceCandidates.find((c) => c.protocol === 'udp')!;
		expect(udp.priority).toBeGreaterThan(alice.iceCandidates.find((c) => c.protocol === 'tcp')!.priority); // UDP preferred
		expect(udp.address).toBe('127.0.0.1');
		expect(udp.port).toBeGreaterThanOrEqual(42000);
		expect(alice.dtlsParameters.fingerprints.length).toBeGreaterThan(0);
		console.log(
			`sfu figures: create WebRtcTransport over the control API: median ${median(times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms (10 calls)`,
		);

		const dtlsParameters = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:'.repeat(31) + 'AB' }] };
		const connectAsBob = await sfu.raw('POST', `/sessions/s-own/participants/bob/transports/${alice.id}/connect`, {
			body: JSON.stringify({ dtlsParameters }),
		});
		expect(connectAsBob).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
		const produceAsBob = await sfu.raw('POST', '/sessions/s-own/participants/bob/produce', {
			body: JSON.stringify({ transportId: alice.id, kind: 'video', rtpParameters: vp8RtpParameters(101, 1111), source: 'camera' }),
		});
		expect(produceAsBob).toMatchObject({ status: 403 });
		expect(await sfu.call('POST', `/sessions/s-own/participants/alice/transports/${alice.id}/connect`, { dtlsParameters })).toEqual({
			ok: true,
		});
		expect(
			await sfu.raw('POST', `/sessions/s-own/participants/alice/transports/nope/connect`, { body: JSON.stringify({ dtlsParameters }) }),
		).toMatchObject({ status: 404 });
		expect((await sfu.call<SfuStats>('GET', '/stats')).transports).toBe(10);
		await sfu.call('DELETE', '/sessions/s-own');
		expect((await sfu.call<SfuStats>('GET', '/stats')).transports).toBe(0);
	});

	it('one participant cannot take every media port: beyond two transports each way, its oldest is closed', async () => {
		// An attacker's loop made 497 transports and left every other session without ports (issue 8, finding 2).
		await sfu.call('POST', '/sessions/s-quota');
		const made: string[] = [];
		for (let i = 0; i < 12; i++) made.push((await sendTransport('s-quota', 'hog')).id);
		await sfu.call('POST', '/sessions/s-quota/participants/hog/transports', { direction: 'recv' });
		const stats = await sfu.call<SfuStats>('GET', '/stats');
		expect(stats.transports).toBe(3); // the two newest to send, one to receive
		// The newest still work; an old one is gone.
		const dtlsParameters = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:'.repeat(31) + 'AB' }] };
		const connect = (id: string) =>
			sfu.raw('POST', `/sessions/s-quota/participants/hog/transports/${id}/connect`, { body: JSON.stringify({ dtlsParameters }) });
		expect(await connect(made.at(-1)!)).toMatchObject({ status: 200 });
		expect(await connect(made[0]!)).toMatchObject({ status: 404 });
		// Another participant still gets its transports.
		expect((await sendTransport('s-quota', 'other')).id).toMatch(/.+/);
		await sfu.call('DELETE', '/sessions/s-quota');
	});

	it('cuts a participant’s transports of one direction, and only theirs', async () => {
		await sfu.call('POST', '/sessions/s-cut');
		const send = await sendTransport('s-cut', 'viewer');
		const recv = await sfu.call<CreateTransportResponse>('POST', '/sessions/s-cut/participants/viewer/transports', { direction: 'recv' });
		const others = await sfu.call<CreateTransportResponse>('POST', '/sessions/s-cut/participants/other/transports', { direction: 'recv' });
		const cut = await sfu.call<{ closed: string[] }>('POST', '/sessions/s-cut/participants/viewer/transports/close', { direction: 'recv' });
		expect(cut.closed).toEqual([recv.id]);
		const dtlsParameters = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:'.repeat(31) + 'AB' }] };
		const connect = (participant: string, id: string) =>
			sfu.raw('POST', `/sessions/s-cut/participants/${participant}/transports/${id}/connect`, { body: JSON.stringify({ dtlsParameters }) });
		expect(await connect('viewer', recv.id)).toMatchObject({ status: 404 });
		expect(await connect('viewer', send.id)).toMatchObject({ status: 200 });
		expect(await connect('other', others.id)).toMatchObject({ status: 200 });
		expect(
			await sfu.raw('POST', '/sessions/s-cut/participants/viewer/transports/close', { body: '{"direction":"sideways"}' }),
		).toMatchObject({
			status: 400,
		});
		await sfu.call('DELETE', '/sessions/s-cut');
	});

	it('one participant cannot pile up consumers: asking again for a producer on the same transport replaces the old consumer', async () => {
		// A script consuming one producer in a loop made a consumer per call (issue 8, finding 2).
		const session = await sfu.call<CreateSessionResponse>('POST', '/sessions/s-consumers');
		const t = await sfu.call<CreatePlainTransportResponse>('POST', '/sessions/s-consumers/participants/alice/plain-transports', {
			direction: 'send',
		});
		const { producerId } = await sfu.call<ProduceResponse>('POST', '/sessions/s-consumers/participants/alice/produce', {
			transportId: t.id,
			kind: 'video',
			source: 'camera',
			rtpParameters: vp8RtpParameters(101, 2001),
		});
		const recv = await sfu.call<CreateTransportResponse>('POST', '/sessions/s-consumers/participants/hog/transports', {
			direction: 'recv',
		});
		const consumerIds: string[] = [];
		for (let i = 0; i < 20; i++) {
			const { consumerId } = await sfu.call<{ consumerId: string }>('POST', '/sessions/s-consumers/participants/hog/consume', {
				transportId: recv.id,
				producerId,
				rtpCapabilities: session.rtpCapabilities,
			});
			consumerIds.push(consumerId);
		}
		expect((await sfu.call<SfuStats>('GET', '/stats')).consumers).toBe(1);
		// The newest works; an old one is gone.
		expect(await sfu.raw('POST', `/sessions/s-consumers/participants/hog/consumers/${consumerIds.at(-1)}/resume`)).toMatchObject({
			status: 200,
		});
		expect(await sfu.raw('POST', `/sessions/s-consumers/participants/hog/consumers/${consumerIds[0]}/resume`)).toMatchObject({
			status: 404,
		});
		await sfu.call('DELETE', '/sessions/s-consumers');
	});

	it('a transport whose browser never reaches it (no ICE check after it was connected) is reported unreachable', async () => {
		await sfu.call('POST', '/sessions/s-unreachable');
		const blocked = await sendTransport('s-unreachable', 'blocked');
		const dtlsParameters = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:'.repeat(31) + 'AB' }] };
		await sfu.call('POST', `/sessions/s-unreachable/participants/blocked/transports/${blocked.id}/connect`, { dtlsParameters });
		const event = await sfu.events.next(
			(e): e is Extract<SfuEvent, { type: 'transport.unreachable' }> =>
				e.type === 'transport.unreachable' && e.sessionId === 's-unreachable',
			5000,
		);
		expect(event).toEqual({ type: 'transport.unreachable', sessionId: 's-unreachable', participantId: 'blocked', direction: 'send' });
		// A transport that is closed before the time is up is not reported.
		const closed = await sendTransport('s-unreachable', 'leaver');
		await sfu.call('POST', `/sessions/s-unreachable/participants/leaver/transports/${closed.id}/connect`, { dtlsParameters });
		await sfu.call('DELETE', '/sessions/s-unreachable/participants/leaver');
		await new Promise((r) => setTimeout(r, 1500));
		expect(sfu.events.received.some((e) => e.type === 'transport.unreachable' && e.participantId === 'leaver')).toBe(false);
		await sfu.call('DELETE', '/sessions/s-unreachable');
	});

	it('refuses a codec the router lacks, and a kind that does not fit the source', async () => {
		await sfu.call('POST', '/sessions/s-codec');
		const t = await sendTransport('s-codec', 'alice');
		const h264 = await sfu.raw('POST', '/sessions/s-codec/participants/alice/produce', {
			body: JSON.stringify({
				transportId: t.id,
				kind: 'video',
				source: 'screen',
				rtpParameters: { codecs: [{ mimeType: 'video/H264', payloadType: 102, clockRate: 90000 }], encodings: [{ ssrc: 1 }] },
			}),
		});
		expect(h264).toMatchObject({ status: 400, body: { error: { code: 'unsupported-codec' } } });
		expect(h264.body.error.message).toMatch(/H264.*VP8/);
		const audioAsScreen = await sfu.raw('POST', '/sessions/s-codec/participants/alice/produce', {
			body: JSON.stringify({
				transportId: t.id,
				kind: 'audio',
				source: 'screen',
				rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }] },
			}),
		});
		expect(audioAsScreen).toMatchObject({ status: 400 });
		const recv = await sfu.call<CreateTransportResponse>('POST', '/sessions/s-codec/participants/alice/transports', { direction: 'recv' });
		const onRecv = await sfu.raw('POST', '/sessions/s-codec/participants/alice/produce', {
			body: JSON.stringify({ transportId: recv.id, kind: 'video', source: 'screen', rtpParameters: vp8RtpParameters(101, 2) }),
		});
		expect(onRecv).toMatchObject({ status: 400, body: { error: { code: 'wrong-direction' } } });
		expect(await sfu.call<ProducerInfo[]>('GET', '/sessions/s-codec/producers')).toEqual([]); // nothing half-open
		await sfu.call('DELETE', '/sessions/s-codec');
	});

	it('closes everything a participant owns, tells core, and closes producers by source', async () => {
		await sfu.call('POST', '/sessions/s-close');
		const produce = async (participantId: string, source: 'screen' | 'camera', ssrc: number) => {
			const t = await sfu.call<CreatePlainTransportResponse>('POST', `/sessions/s-close/participants/${participantId}/plain-transports`, {
				direction: 'send',
			});
			const { producerId } = await sfu.call<ProduceResponse>('POST', `/sessions/s-close/participants/${participantId}/produce`, {
				transportId: t.id,
				kind: 'video',
				source,
				rtpParameters: vp8RtpParameters(101, ssrc),
			});
			return producerId;
		};
		const aliceScreen = await produce('alice', 'screen', 1001);
		const aliceCamera = await produce('alice', 'camera', 1002);
		const bobScreen = await produce('bob', 'screen', 1003);
		const busy = await sfu.raw('POST', '/sessions/s-close/participants/bob/produce', {
			body: JSON.stringify({
				transportId: (
					await sfu.call<CreatePlainTransportResponse>('POST', '/sessions/s-close/participants/bob/plain-transports', { direction: 'send' })
				).id,
				kind: 'video',
				source: 'screen',
				rtpParameters: vp8RtpParameters(101, 1004),
			}),
		});
		expect(busy).toMatchObject({ status: 409, body: { error: { code: 'source-in-use' } } });
		expect((await sfu.call<ProducerInfo[]>('GET', '/sessions/s-close/producers')).map((p) => p.producerId).sort()).toEqual(
			[aliceScreen, aliceCamera, bobScreen].sort(),
		);

		// pause/resume, and only by its owner
		expect(await sfu.raw('POST', `/sessions/s-close/participants/bob/producers/${aliceCamera}/pause`)).toMatchObject({ status: 403 });
		await sfu.call('POST', `/sessions/s-close/participants/alice/producers/${aliceCamera}/pause`);
		expect((await sfu.call<ProducerInfo[]>('GET', '/sessions/s-close/producers')).find((p) => p.producerId === aliceCamera)?.paused).toBe(
			true,
		);

		// focus switch: every screen share ends
		expect(await sfu.call('POST', '/sessions/s-close/producers/close', { sources: ['screen'] })).toEqual({
			closed: expect.arrayContaining([aliceScreen, bobScreen]),
		});
		await sfu.events.next((e) => e.type === 'producer.closed' && e.producerId === bobScreen && e.reason === 'requested');

		// alice leaves: her transports and camera go
		const before = await sfu.call<SfuStats>('GET', '/stats');
		expect(await sfu.call('DELETE', '/sessions/s-close/participants/alice')).toEqual({ ok: true });
		const closed = await sfu.events.next((e) => e.type === 'producer.closed' && e.producerId === aliceCamera);
		expect(closed).toMatchObject({ sessionId: 's-close', participantId: 'alice', source: 'camera', reason: 'participant-closed' });
		const after = await sfu.call<SfuStats>('GET', '/stats');
		expect(before.transports - after.transports).toBe(2);
		expect(await sfu.call<ProducerInfo[]>('GET', '/sessions/s-close/producers')).toEqual([]);
		await sfu.call('DELETE', '/sessions/s-close');
	});

	it('replaces a worker that dies and reports its sessions ended', async () => {
		await sfu.call('POST', '/sessions/s-die');
		const [worker] = (await sfu.call<SfuStats>('GET', '/stats')).workers;
		process.kill(worker!.pid, 'SIGKILL');
		const died = await sfu.events.next((e) => e.type === 'worker.died');
		expect(died).toMatchObject({ pid: worker!.pid, sessionIds: ['s-die'] });
		expect(await sfu.raw('GET', '/sessions/s-die/producers')).toMatchObject({ status: 404 });
		const replaced = await waitFor(
			async () => {
				const stats = await sfu.call<SfuStats>('GET', '/stats');
				return stats.workers.length === 1 && stats.workers[0]!.pid !== worker!.pid && stats;
			},
			10_000,
			'a replacement worker',
		);
		expect(replaced.sessions).toBe(0);
		await sfu.call('POST', '/sessions/s-die'); // the session can start its media again
		await sfu.call('DELETE', '/sessions/s-die');
	});
});

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}
