// The browser's side of media, shared by the console and the customer page: one mediasoup Device per
// session, a send and a receive transport, and what is consumed kept in step with what the SFU has.
// mediasoup-client is passed in by the page, which loads it only when media starts.

import type { Device } from 'mediasoup-client/types';

import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../trpc/root.ts';
import { carries } from './mediaRules.ts';

type Json = Record<string, unknown>;
type MediaIn = inferRouterInputs<AppRouter>['media'];
type MediaOut = inferRouterOutputs<AppRouter>['media'];
export type MediaSource = MediaIn['produce']['source'];

/** The media.* procedures as plain calls: their types are the router's own (AppRouter), never restated. */
export type MediaApi = { [K in keyof MediaIn]: (input: MediaIn[K]) => Promise<MediaOut[K]> };

type Queries = 'capabilities' | 'producers';
type Mutations = Exclude<keyof MediaApi, Queries>;
/** The media.* procedures as a page's tRPC client has them (queries and mutations). */
export type MediaProcedures = { [K in Queries]: { query: MediaApi[K] } } & { [K in Mutations]: { mutate: MediaApi[K] } };

/** A MediaApi over a page's tRPC client: `mediaApiOf(trpc.media)`. */
export function mediaApiOf(media: MediaProcedures): MediaApi {
	return {
		capabilities: (i) => media.capabilities.query(i),
		createTransport: (i) => media.createTransport.mutate(i),
		connectTransport: (i) => media.connectTransport.mutate(i),
		produce: (i) => media.produce.mutate(i),
		stop: (i) => media.stop.mutate(i),
		producers: (i) => media.producers.query(i),
		consume: (i) => media.consume.mutate(i),
		resumeConsumer: (i) => media.resumeConsumer.mutate(i),
		reportLost: (i) => media.reportLost.mutate(i),
	};
}

export interface RemoteTrack {
	producerId: string;
	participantId: string;
	source: MediaSource;
	kind: 'audio' | 'video';
	stream: MediaStream;
}

/**
 * The page's connection to the media server, as the person is told of it: lost and coming back by itself
 * (`reconnecting`), back (`restored`), or gone for good (`failed`: what was sent on it has stopped).
 */
export interface MediaTrouble {
	direction: 'send' | 'receive';
	/** `unplayable`: connected, yet a picture never showed a frame here, even on a new connection. */
	state: 'reconnecting' | 'restored' | 'failed' | 'unplayable';
}

/** What a page says of a media trouble: the key of its words (messages/*.json), the same on every page. */
export type TroubleWords =
	| 'media_restored'
	| 'media_unplayable'
	| 'media_receive_failed'
	| 'media_reconnecting_receive'
	| 'media_send_failed'
	| 'media_reconnecting_send';

export function troubleWords(trouble: MediaTrouble): TroubleWords {
	if (trouble.state === 'restored') return 'media_restored';
	if (trouble.state === 'unplayable') return 'media_unplayable';
	if (trouble.direction === 'receive') return trouble.state === 'failed' ? 'media_receive_failed' : 'media_reconnecting_receive';
	return trouble.state === 'failed' ? 'media_send_failed' : 'media_reconnecting_send';
}

/** A trouble the person must act on (shown as a failure), not one that passes by itself. */
export const troubleFailed = (trouble: MediaTrouble | null): boolean => trouble?.state === 'failed' || trouble?.state === 'unplayable';

/**
 * How long a new picture (a screen, a camera) may take to show its first frame here. The sender is asked for
 * a key frame as it is consumed, so even a still screen shows one at once: none by then means it is stuck.
 */
export const FIRST_FRAME_MS = 10_000;

type Transport = ReturnType<Device['createSendTransport']>;
type Producer = Awaited<ReturnType<Transport['produce']>>;
type Consumer = Awaited<ReturnType<Transport['consume']>>;

export class MediaSession {
	private readonly api: MediaApi;
	private readonly sessionId: string;
	private readonly loadDevice: () => Promise<Device>;
	private device: Device | null = null;
	private sendTransport: Transport | null = null;
	private recvTransport: Transport | null = null;
	private readonly producers = new Map<MediaSource, Producer>();
	private readonly consumers = new Map<string, { consumer: Consumer; remote: RemoteTrack }>();
	private syncing: Promise<void> = Promise.resolve();
	private closed = false;
	/** The receiving transport is being replaced: 'restored' is said once the new one connects. */
	private mendingReceive = false;
	/** Pictures (producer ids) consumed again because they showed no frame: the next time it is said. */
	private readonly retriedPictures = new Set<string>();
	/** When the receiving connection last came up: a picture has FIRST_FRAME_MS from then, not less. */
	private receivingSince = 0;
	/** Called whenever the set of remote tracks or of my own tracks changes. */
	onchange: () => void = () => {};
	/** What the person is told now of their connection to the media server (null: nothing to tell). */
	trouble: MediaTrouble | null = null;

	constructor(api: MediaApi, sessionId: string, loadDevice: () => Promise<Device>) {
		this.api = api;
		this.sessionId = sessionId;
		this.loadDevice = loadDevice;
	}

	get remote(): RemoteTrack[] {
		return [...this.consumers.values()].map((c) => c.remote);
	}

	/** My own live tracks, for a local preview. */
	local(source: MediaSource): MediaStreamTrack | null {
		return this.producers.get(source)?.track ?? null;
	}

	isSending(source: MediaSource): boolean {
		return this.producers.has(source);
	}

	private async ready(): Promise<Device> {
		if (this.device) return this.device;
		const device = await this.loadDevice();
		const { rtpCapabilities } = await this.api.capabilities({ sessionId: this.sessionId });
		if (!device.loaded) await device.load({ routerRtpCapabilities: rtpCapabilities as never });
		this.device = device;
		return device;
	}

	private async transport(direction: 'send' | 'recv'): Promise<Transport> {
		const existing = direction === 'send' ? this.sendTransport : this.recvTransport;
		if (existing && !existing.closed && existing.connectionState !== 'failed') return existing;
		existing?.close();
		const device = await this.ready();
		const options = await this.api.createTransport({ sessionId: this.sessionId, direction });
		const transport = (
			direction === 'send' ? device.createSendTransport(options as never) : device.createRecvTransport(options as never)
		) as Transport;
		transport.on('connect', ({ dtlsParameters }, callback, errback) => {
			this.api
				.connectTransport({ sessionId: this.sessionId, transportId: transport.id, dtlsParameters: dtlsParameters as unknown as Json })
				.then(() => callback(), errback);
		});
		if (direction === 'recv') {
			// The media server lets go of a transport whose ICE stops answering; the browser sees that only as
			// 'disconnected' (seconds later; 'failed' after about 13 s more). Either way what it carried is
			// gone: take a new transport and consume everything again, so the pictures come back by themselves.
			transport.on('connectionstatechange', (state) => {
				if (this.recvTransport !== transport || this.closed) return;
				if (state === 'connected') this.receivingSince = performance.now();
				if (state === 'disconnected' || state === 'failed') this.receiveAgain();
				else if (state === 'connected' && this.mendingReceive) this.mended();
			});
		} else {
			// What a page sends cannot be replayed: a sending connection that failed for good stops what it
			// carried, here and in the record, so every button and every viewer shows what is really so.
			transport.on('connectionstatechange', (state) => {
				if (this.sendTransport !== transport || this.closed) return;
				if (state === 'failed') this.sendingLost();
				else if (state === 'disconnected' && this.producers.size > 0) this.tell({ direction: 'send', state: 'reconnecting' });
				else if (state === 'connected' && this.trouble?.direction === 'send' && this.trouble.state === 'reconnecting')
					this.tell({ direction: 'send', state: 'restored' });
			});
		}
		if (direction === 'send') {
			transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
				this.api
					.produce({
						sessionId: this.sessionId,
						transportId: transport.id,
						kind,
						rtpParameters: rtpParameters as unknown as Json,
						source: appData.source as MediaSource,
					})
					.then(({ producerId }) => callback({ id: producerId }), errback);
			});
			this.sendTransport = transport;
		} else {
			this.recvTransport = transport;
		}
		return transport;
	}

	/**
	 * Send a track. Screens keep small text legible: content hint `detail`, the source's resolution,
	 * frame rate yielding before sharpness.
	 */
	async send(source: MediaSource, track: MediaStreamTrack): Promise<void> {
		if (this.producers.has(source)) await this.stopSending(source);
		if (source === 'screen') track.contentHint = 'detail';
		const producer = await this.afterMediaPlaneRestart('send', (transport) => this.produceOn(transport, source, track)).catch(
			(error: unknown) => {
				track.stop(); // the browser's capture indicator goes off with it
				throw error;
			},
		);
		if (source === 'screen') {
			try {
				await producer.rtpSender?.setParameters({ ...producer.rtpSender.getParameters(), degradationPreference: 'maintain-resolution' });
			} catch {
				/* not every browser lets us choose */
			}
		}
		this.producers.set(source, producer);
		// The person stopped it from the browser's own bar ("Stop sharing").
		track.addEventListener('ended', () => void this.stopSending(source));
		this.onchange();
	}

	/**
	 * Does `work` on this page's transport, and once more on a new one when the media server no longer knows
	 * the old (it was restarted, or this server was: its media server is new) — the page goes on by itself.
	 */
	private async afterMediaPlaneRestart<T>(direction: 'send' | 'recv', work: (transport: Transport) => Promise<T>): Promise<T> {
		try {
			return await work(await this.transport(direction));
		} catch (error) {
			if ((error as { data?: { tandemCode?: string } } | null)?.data?.tandemCode !== 'mediaRefused') throw error;
			(direction === 'send' ? this.sendTransport : this.recvTransport)?.close();
			if (direction === 'send') this.sendTransport = null;
			else this.recvTransport = null;
			return work(await this.transport(direction));
		}
	}

	private produceOn(transport: Transport, source: MediaSource, track: MediaStreamTrack): Promise<Producer> {
		return transport.produce({
			track,
			// A try that fails must leave the track alive for the next (it is stopped here when sending ends).
			stopTracks: false,
			appData: { source },
			...(source === 'screen'
				? { encodings: [{ maxBitrate: 3_000_000, priority: 'high' as const }], codecOptions: { videoGoogleStartBitrate: 1000 } }
				: source === 'camera'
					? { encodings: [{ maxBitrate: 800_000 }] }
					: { codecOptions: { opusDtx: true, opusFec: true } }),
		});
	}

	async stopSending(source: MediaSource): Promise<void> {
		const producer = this.producers.get(source);
		this.producers.delete(source);
		if (producer) {
			producer.track?.stop();
			producer.close();
			this.onchange();
			await this.api.stop({ sessionId: this.sessionId, source }).catch(() => undefined);
		}
	}

	/** The server ended a track of mine (transfer, focus change): let go of it locally. */
	dropLocal(source: MediaSource): void {
		const producer = this.producers.get(source);
		if (!producer) return;
		this.producers.delete(source);
		producer.track?.stop();
		producer.close();
		this.onchange();
	}

	/**
	 * A new view of the session: let go of my own tracks the rules have ended (focus moved, control
	 * transferred, the call ended), drop remote ones likewise, and consume what is new.
	 */
	follow(view: { me: { participantId: string } | null; activities: { sharing: string[]; video: string[]; voiceCall: boolean } }): void {
		const a = view.activities;
		const me = view.me?.participantId ?? '';
		this.followActivities(a);
		for (const source of ['screen', 'camera', 'microphone'] as const) {
			if (this.isSending(source) && !carries(a, source, me)) this.dropLocal(source);
		}
		if (a.sharing.length > 0 || a.video.length > 0 || a.voiceCall) void this.sync();
	}

	/** Ask the browser for a screen, a camera or a microphone, and send it. */
	async capture(source: MediaSource): Promise<void> {
		const devices = navigator.mediaDevices;
		const stream =
			source === 'screen'
				? await devices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false })
				: source === 'camera'
					? await devices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 360 } }, audio: false })
					: await devices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true }, video: false });
		const track = source === 'microphone' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
		if (!track) throw new Error(`the browser gave no ${source} track`);
		await this.send(source, track);
	}

	/**
	 * Let go at once of what the session's rules have ended (a share whose activity stopped), without
	 * waiting for the SFU to say so: the feed's event is the earliest word.
	 */
	followActivities(activities: { sharing: string[]; video: string[]; voiceCall: boolean }): void {
		let changed = false;
		for (const [id, { consumer, remote }] of this.consumers) {
			if (!carries(activities, remote.source, remote.participantId)) {
				consumer.close();
				this.consumers.delete(id);
				this.forgetPicture(id);
				changed = true;
			}
		}
		if (changed) this.onchange();
	}

	/** The receiving transport was lost: drop it and what it carried, then consume again on a new one. */
	private receiveAgain(): void {
		this.recvTransport?.close();
		this.recvTransport = null;
		const hadMedia = this.consumers.size > 0;
		for (const { consumer } of this.consumers.values()) consumer.close();
		this.consumers.clear();
		this.onchange();
		if (!hadMedia) {
			void this.sync();
			return;
		}
		this.mendingReceive = true;
		this.tell({ direction: 'receive', state: 'reconnecting' });
		void this.api.reportLost({ sessionId: this.sessionId, direction: 'receive' }).catch(() => undefined);
		this.syncing = this.syncing
			.then(() => this.syncNow())
			.then(
				() => {
					// Nothing is left to receive (it ended meanwhile): there is no connection to wait for.
					if (this.mendingReceive && this.consumers.size === 0) this.mended();
				},
				() => {
					this.mendingReceive = false;
					this.tell({ direction: 'receive', state: 'failed' });
				},
			);
	}

	/**
	 * A picture consumed FIRST_FRAME_MS ago on a connected transport that has decoded no frame (a black tile):
	 * consume everything again on a new transport, once; if that shows nothing either, say so.
	 */
	private async checkFirstFrame(producerId: string, consumer: Consumer): Promise<void> {
		if (this.closed || consumer.closed || this.consumers.get(producerId)?.consumer !== consumer) return;
		// A connection not up yet is the transport's watch to tell; once it is, the picture has its full time.
		const again = (ms: number) => setTimeout(() => void this.checkFirstFrame(producerId, consumer), ms);
		if (this.recvTransport?.connectionState !== 'connected') return void again(FIRST_FRAME_MS);
		const up = performance.now() - this.receivingSince;
		if (up < FIRST_FRAME_MS) return void again(FIRST_FRAME_MS - up);
		let decoded = 0;
		try {
			(await consumer.getStats()).forEach((report: { type?: string; framesDecoded?: number }) => {
				if (report.type === 'inbound-rtp') decoded += report.framesDecoded ?? 0;
			});
		} catch {
			return;
		}
		if (this.consumers.get(producerId)?.consumer !== consumer) return;
		if (decoded > 0) {
			this.retriedPictures.delete(producerId);
			return;
		}
		if (this.retriedPictures.has(producerId)) {
			this.tell({ direction: 'receive', state: 'unplayable' });
			return;
		}
		this.retriedPictures.add(producerId);
		this.receiveAgain();
	}

	/** A picture that ended: what was said of it showing nothing ends with it. */
	private forgetPicture(producerId: string): void {
		if (!this.retriedPictures.delete(producerId)) return;
		if (this.retriedPictures.size === 0 && this.trouble?.state === 'unplayable') this.trouble = null;
	}

	/** Says it (through onchange); that it came back is said for a few seconds, then nothing is. */
	private tell(trouble: MediaTrouble): void {
		this.trouble = trouble;
		this.onchange();
		if (trouble.state !== 'restored') return;
		setTimeout(() => {
			if (this.trouble !== trouble) return;
			this.trouble = null;
			this.onchange();
		}, 5000);
	}

	private mended(): void {
		this.mendingReceive = false;
		this.tell({ direction: 'receive', state: 'restored' });
	}

	/** The sending transport failed for good: what it carried stops here and in the record. */
	private sendingLost(): void {
		// Said when something was on it, or when the person was told it was coming back (it ended meanwhile).
		const toTell = this.producers.size > 0 || this.trouble?.direction === 'send';
		for (const source of [...this.producers.keys()]) this.dropLocal(source);
		this.sendTransport?.close();
		this.sendTransport = null;
		if (!toTell) return;
		this.tell({ direction: 'send', state: 'failed' });
		void this.api.reportLost({ sessionId: this.sessionId, direction: 'send' }).catch(() => undefined);
	}

	/** Consume every producer the SFU has that I do not yet; drop the ones that are gone. */
	sync(): Promise<void> {
		this.syncing = this.syncing.then(() => this.syncNow()).catch(() => undefined);
		return this.syncing;
	}

	private async syncNow(): Promise<void> {
		if (this.closed) return;
		const available = await this.api.producers({ sessionId: this.sessionId });
		const ids = new Set(available.map((p) => p.producerId));
		let changed = false;
		for (const [id, { consumer }] of this.consumers) {
			if (!ids.has(id)) {
				consumer.close();
				this.consumers.delete(id);
				this.forgetPicture(id);
				changed = true;
			}
		}
		const wanted = available.filter((p) => !this.consumers.has(p.producerId));
		if (wanted.length) {
			const device = await this.ready();
			for (const p of wanted) {
				const consumer = await this.afterMediaPlaneRestart('recv', async (transport) => {
					const options = await this.api.consume({
						sessionId: this.sessionId,
						transportId: transport.id,
						producerId: p.producerId,
						rtpCapabilities: device.recvRtpCapabilities as unknown as Json,
					});
					return transport.consume({
						id: options.consumerId,
						producerId: options.producerId,
						kind: options.kind,
						rtpParameters: options.rtpParameters as never,
					});
				});
				consumer.on('trackended', () => void this.sync());
				this.consumers.set(p.producerId, {
					consumer,
					remote: {
						producerId: p.producerId,
						participantId: p.participantId,
						source: p.source,
						kind: p.kind,
						stream: new MediaStream([consumer.track]),
					},
				});
				// Consumers start paused on the SFU; resuming asks the sender for a key frame at once.
				await this.api.resumeConsumer({ sessionId: this.sessionId, consumerId: consumer.id });
				if (p.kind === 'video') setTimeout(() => void this.checkFirstFrame(p.producerId, consumer), FIRST_FRAME_MS);
				changed = true;
			}
		}
		if (changed) this.onchange();
	}

	close(): void {
		this.closed = true;
		for (const p of this.producers.values()) {
			p.track?.stop();
			p.close();
		}
		this.producers.clear();
		for (const { consumer } of this.consumers.values()) consumer.close();
		this.consumers.clear();
		this.sendTransport?.close();
		this.recvTransport?.close();
		this.onchange();
	}
}
