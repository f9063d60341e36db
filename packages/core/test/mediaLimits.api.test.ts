// Media calls under abuse (issue "Hold under attack", finding 2), through the real router and a real media
// server: a participant calling in a loop is slowed and nobody else is, and a track the media server
// refuses leaves nothing in the session's record.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSfu, SECRET, type TestSfu } from '../../../apps/sfu/test/harness.ts';
import { eventsOf } from '../src/log/eventLog.ts';
import { SfuClient } from '../src/media/sfuClient.ts';
import { FakeClock } from '../src/time/clock.ts';
import { refusalOf, world, type Browser, type World } from './harness.ts';

describe('media calls', () => {
	let sfu: TestSfu;
	let w: World;
	const clock = new FakeClock();
	let rep: Browser;
	let customer: Browser;
	let other: Browser;
	let sessionId: string;

	beforeAll(async () => {
		sfu = await startTestSfu({ rtcMinPort: 44000, rtcMaxPort: 44499, recordingMinPort: 44500, recordingMaxPort: 44999 });
		w = await world('pglite', { clock, media: new SfuClient({ url: sfu.url, secret: SECRET }) });
		rep = await w.rep('Ana', { maxCustomers: 5 });
		const session = await (await rep.api()).session.start();
		sessionId = session.id;
		await (await rep.api()).media.capabilities({ sessionId }); // the session's media opens as a page opens it
		customer = w.browser();
		await (await customer.api()).session.join({ number: session.number, name: 'Marko' });
		other = w.browser();
		await (await other.api()).session.join({ number: session.number, name: 'Nada' });
	});
	afterAll(async () => {
		await w?.close();
		await sfu?.stop();
	});

	it('a participant calling in a loop is refused beyond the limit, nobody else is, and the limit refills with time', async () => {
		const api = await customer.api();
		const outcomes = new Map<string, number>();
		for (let i = 0; i < 300; i++) {
			const outcome = await api.media.producers({ sessionId }).then(
				() => 'ok',
				(error: unknown) => refusalOf(Promise.reject(error)),
			);
			outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
		}
		expect([...outcomes.keys()].sort()).toEqual(['ok', 'tooManyRequests']);
		// A page's burst passes (a join into a full session makes about 70 calls); the loop is stopped.
		expect(outcomes.get('ok')).toBeGreaterThanOrEqual(70);
		expect(outcomes.get('tooManyRequests')).toBeGreaterThanOrEqual(100);
		// Another customer of the same session, and the rep, are not slowed by it.
		await expect((await other.api()).media.producers({ sessionId })).resolves.toEqual([]);
		await expect((await rep.api()).media.producers({ sessionId })).resolves.toEqual([]);
		// A second later the hog may call again, a few times.
		clock.advance(1_000);
		await expect(api.media.producers({ sessionId })).resolves.toEqual([]);
	});

	it('a track the media server refuses leaves nothing in the record, and the share is not on', async () => {
		const api = await other.api();
		const before = (await eventsOf(w.services.db, 'session', sessionId)).length;
		const refusal = await refusalOf(
			api.media.produce({
				sessionId,
				transportId: 'no-such-transport',
				kind: 'video',
				source: 'screen',
				rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }], encodings: [{ ssrc: 1 }] },
			}),
		);
		expect(refusal).toBe('mediaRefused');
		expect((await eventsOf(w.services.db, 'session', sessionId)).length).toBe(before);
		expect((await w.services.sessions.state(sessionId))!.activities.sharing).toEqual([]);
	});

	it('a track the rules refuse never reaches the media server', async () => {
		// Nada is no assistant, but a rep who only watches may not share: an assistant, then.
		const assistant = await w.rep('Jelena');
		await (await assistant.api()).session.assist({ number: (await w.services.sessions.state(sessionId))!.number });
		const transport = await (await assistant.api()).media.createTransport({ sessionId, direction: 'send' });
		const refusal = await refusalOf(
			(await assistant.api()).media.produce({
				sessionId,
				transportId: transport.id,
				kind: 'video',
				source: 'screen',
				rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }], encodings: [{ ssrc: 7 }] },
			}),
		);
		expect(refusal).toBe('assistantsCannotDoThat');
		expect(await w.services.media!.producers(sessionId)).toEqual([]);
	});
});
