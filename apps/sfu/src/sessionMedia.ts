import type { types as ms } from 'mediasoup';
import { SfuError, badRequest, forbidden, fromMediasoupError, notFound } from './errors.ts';
import { log } from './log.ts';
import { kindOfSource } from '@tandem/sfu-contract';
import type {
	ConsumeRequest,
	ConsumeResponse,
	CreatePlainTransportResponse,
	CreateTransportResponse,
	MediaKind,
	MediaSource,
	ProduceRequest,
	ProducerCloseReason,
	ProducerInfo,
	RecordingManifest,
	SessionMediaStats,
	SfuEvent,
	TransportDirection,
} from '@tandem/sfu-contract';
import type { ProducerEntry } from './producerEntry.ts';
import type { SessionRecording } from './recording.ts';

/** A request checked by the contract's schema, with the mediasoup object it carries given mediasoup's own type. */
type MediasoupTyped<R, K extends keyof R, T> = Omit<R, K> & { [P in K]: T };

/** The router's codecs: VP8 and Opus only, so recordings are WebM without transcoding. */
export const mediaCodecs: ms.RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
];

export type TransportSettings = {
	listenIp: string;
	announcedIp: string | undefined;
	rtcMinPort: number;
	rtcMaxPort: number;
	/** A connected WebRTC transport with no ICE check after this long: the browser cannot reach us. */
	unreachableAfterMs: number;
};

type TransportEntry = {
	transport: ms.WebRtcTransport | ms.PlainTransport;
	participantId: string;
	direction: TransportDirection;
	/** Why we are closing it, so its producers' `producer.closed` events say so. */
	closeReason: ProducerCloseReason | undefined;
};
type ConsumerEntry = { consumer: ms.Consumer; participantId: string; producer: ProducerEntry };

/** WebRTC transports one participant may hold in each direction (a page uses one; a reload makes another). */
const TRANSPORTS_PER_DIRECTION = 2;

/** What one participant has in this session's router (mediasoup-demo's Peer). */
class ParticipantMedia {
	readonly transports = new Map<string, TransportEntry>();
	readonly producers = new Map<string, ProducerEntry>();
	readonly consumers = new Map<string, ConsumerEntry>();
}

export type SessionMediaDeps = {
	sessionId: string;
	router: ms.Router;
	transportSettings: TransportSettings;
	publish: (event: SfuEvent) => void;
	createRecording: (session: SessionMedia, recordingId: string) => SessionRecording;
};

/**
 * The media of one support session: one router (on one worker), and per participant its transports,
 * producers and consumers (mediasoup-demo's Room). Closing a participant closes all it owns.
 */
export class SessionMedia {
	readonly sessionId: string;
	readonly router: ms.Router;
	readonly #deps: SessionMediaDeps;
	readonly #participants = new Map<string, ParticipantMedia>();
	readonly #producers = new Map<string, ProducerEntry>();
	#recording: SessionRecording | undefined;
	#closed = false;

	constructor(deps: SessionMediaDeps) {
		this.#deps = deps;
		this.sessionId = deps.sessionId;
		this.router = deps.router;
	}

	get closed(): boolean {
		return this.#closed || this.router.closed;
	}
	get rtpCapabilities(): ms.RtpCapabilities {
		return this.router.rtpCapabilities;
	}
	get recording(): SessionRecording | undefined {
		return this.#recording;
	}
	get producers(): ReadonlyMap<string, ProducerEntry> {
		return this.#producers;
	}
	counts(): { participants: number; transports: number; producers: number; consumers: number } {
		let transports = 0;
		let consumers = 0;
		for (const p of this.#participants.values()) {
			transports += p.transports.size;
			consumers += p.consumers.size;
		}
		return { participants: this.#participants.size, transports, producers: this.#producers.size, consumers };
	}

	// ------------------------------------------------------------------ transports

	async createWebRtcTransport(participantId: string, direction: TransportDirection): Promise<CreateTransportResponse> {
		// A page needs one transport each way; a reload or a reconnect makes new ones. Beyond a couple, the
		// participant's oldest in that direction is closed: nobody can hold the ports every session needs.
		const mine = [...(this.#participants.get(participantId)?.transports.values() ?? [])].filter(
			(t) => t.direction === direction && t.transport.type === 'webrtc' && !t.transport.closed,
		);
		for (const old of mine.slice(0, Math.max(0, mine.length - (TRANSPORTS_PER_DIRECTION - 1))))
			this.#closeTransport(old, 'transport-closed');
		const { listenIp, announcedIp, rtcMinPort, rtcMaxPort } = this.#deps.transportSettings;
		const listen = (protocol: 'udp' | 'tcp'): ms.TransportListenInfo => ({
			protocol,
			ip: listenIp,
			...(announcedIp ? { announcedAddress: announcedIp } : {}),
			portRange: { min: rtcMinPort, max: rtcMaxPort },
		});
		const transport = await this.#guard(() =>
			this.router.createWebRtcTransport({
				listenInfos: [listen('udp'), listen('tcp')],
				enableUdp: true,
				enableTcp: true,
				preferUdp: true,
				initialAvailableOutgoingBitrate: 1_500_000,
				appData: { participantId, direction },
			}),
		);
		const entry = this.#adoptTransport(participantId, direction, transport);
		transport.on('icestatechange', (state) => {
			// ICE consent expired (30 s without checks) or the TCP connection dropped: without an ICE restart it is dead.
			if (state === 'disconnected') this.#closeTransport(entry, 'ice-failed');
		});
		transport.on('dtlsstatechange', (state) => {
			if (state === 'failed') this.#closeTransport(entry, 'dtls-failed');
			if (state === 'closed') this.#closeTransport(entry, 'transport-closed'); // the peer said goodbye (close_notify)
		});
		return {
			id: transport.id,
			iceParameters: transport.iceParameters,
			iceCandidates: transport.iceCandidates,
			dtlsParameters: transport.dtlsParameters,
			...(transport.sctpParameters ? { sctpParameters: transport.sctpParameters } : {}),
		};
	}

	/**
	 * A plain RTP transport on the listen IP, for a local process: 'send' learns the sender's address
	 * from its first packet (comedia, RTP and RTCP on separate ports, as ffmpeg sends); 'recv' sends to the
	 * address given to `connect`.
	 */
	async createPlainTransport(participantId: string, direction: TransportDirection): Promise<CreatePlainTransportResponse> {
		const transport = await this.#guard(() =>
			this.router.createPlainTransport({
				listenInfo: {
					protocol: 'udp',
					ip: this.#deps.transportSettings.listenIp,
					...(this.#deps.transportSettings.announcedIp ? { announcedAddress: this.#deps.transportSettings.announcedIp } : {}),
					portRange: { min: this.#deps.transportSettings.rtcMinPort, max: this.#deps.transportSettings.rtcMaxPort },
				},
				rtcpMux: false,
				comedia: direction === 'send',
				appData: { participantId, direction },
			}),
		);
		this.#adoptTransport(participantId, direction, transport);
		return {
			id: transport.id,
			ip: transport.tuple.localAddress ?? transport.tuple.localIp,
			port: transport.tuple.localPort,
			rtcpPort: transport.rtcpTuple?.localPort,
		};
	}

	async connectTransport(
		participantId: string,
		transportId: string,
		params: { dtlsParameters: ms.DtlsParameters } | { ip: string; port: number; rtcpPort?: number | undefined },
	): Promise<void> {
		const { transport, direction } = this.#ownTransport(participantId, transportId);
		if ('dtlsParameters' in params) {
			if (transport.type !== 'webrtc')
				throw badRequest('invalid-request', `transport ${transportId} is a plain transport: connect it with { ip, port, rtcpPort }`);
			const webRtc = transport as ms.WebRtcTransport;
			await this.#guard(() => webRtc.connect({ dtlsParameters: params.dtlsParameters }));
			this.#watchReachability(webRtc, participantId, direction);
		} else {
			if (transport.type !== 'plain')
				throw badRequest('invalid-request', `transport ${transportId} is a WebRTC transport: connect it with { dtlsParameters }`);
			if (direction !== 'recv')
				throw badRequest('wrong-direction', `plain transport ${transportId} learns its peer from the first packet (comedia)`);
			const { ip, port, rtcpPort } = params;
			await this.#guard(() => (transport as ms.PlainTransport).connect(rtcpPort === undefined ? { ip, port } : { ip, port, rtcpPort }));
		}
	}

	/** Cuts a participant's WebRTC transports (of one direction, or all): the browser sees its connection end. */
	closeTransports(participantId: string, direction?: TransportDirection): string[] {
		const matching = [...(this.#participants.get(participantId)?.transports.values() ?? [])].filter(
			(t) => t.transport.type === 'webrtc' && !t.transport.closed && (!direction || t.direction === direction),
		);
		for (const entry of matching) this.#closeTransport(entry, 'requested');
		return matching.map((t) => t.transport.id);
	}

	// ------------------------------------------------------------------ producers

	async produce(participantId: string, request: MediasoupTyped<ProduceRequest, 'rtpParameters', ms.RtpParameters>): Promise<string> {
		const entry = this.#ownTransport(participantId, request.transportId);
		if (entry.direction !== 'send')
			throw badRequest('wrong-direction', `transport ${request.transportId} is for receiving; produce on a 'send' transport`);
		if (kindOfSource[request.source] !== request.kind)
			throw badRequest('invalid-request', `source '${request.source}' is ${kindOfSource[request.source]}, not ${request.kind}`);
		this.#refuseUnsupportedCodecs(request.kind, request.rtpParameters);
		const participant = this.#participant(participantId);
		for (const existing of participant.producers.values())
			if (existing.source === request.source)
				throw new SfuError(
					409,
					'source-in-use',
					`participant ${participantId} already produces ${request.source} (producer ${existing.producer.id}); close it first`,
				);
		const producer = await this.#guard(() =>
			entry.transport.produce({
				kind: request.kind,
				rtpParameters: request.rtpParameters,
				appData: { participantId, source: request.source },
			}),
		);
		const producerEntry: ProducerEntry = { producer, participantId, source: request.source, kind: request.kind };
		participant.producers.set(producer.id, producerEntry);
		this.#producers.set(producer.id, producerEntry);
		producer.on('transportclose', () => this.#closeProducer(producerEntry, entry.closeReason ?? 'transport-closed'));
		log.debug('producer', { sessionId: this.sessionId, participantId, producerId: producer.id, source: request.source });
		this.#recording?.addTrack(producerEntry);
		return producer.id;
	}

	async pauseProducer(participantId: string, producerId: string): Promise<void> {
		await this.#guard(() => this.#ownProducer(participantId, producerId).producer.pause());
	}

	async resumeProducer(participantId: string, producerId: string): Promise<void> {
		await this.#guard(() => this.#ownProducer(participantId, producerId).producer.resume());
	}

	closeProducer(participantId: string, producerId: string): void {
		this.#closeProducer(this.#ownProducer(participantId, producerId), 'requested');
	}

	/** Closes every producer of the given sources (all if none given), of one participant if given. */
	closeProducers(filter: { sources?: MediaSource[] | undefined; participantId?: string | undefined }): string[] {
		const matching = [...this.#producers.values()].filter(
			(p) => (!filter.sources || filter.sources.includes(p.source)) && (!filter.participantId || p.participantId === filter.participantId),
		);
		for (const entry of matching) this.#closeProducer(entry, 'requested');
		return matching.map((p) => p.producer.id);
	}

	listProducers(): ProducerInfo[] {
		return [...this.#producers.values()].map((p) => ({
			producerId: p.producer.id,
			participantId: p.participantId,
			kind: p.kind,
			source: p.source,
			paused: p.producer.paused,
		}));
	}

	// ------------------------------------------------------------------ consumers

	async consume(
		participantId: string,
		request: MediasoupTyped<ConsumeRequest, 'rtpCapabilities', ms.RtpCapabilities>,
	): Promise<ConsumeResponse> {
		const entry = this.#ownTransport(participantId, request.transportId);
		if (entry.direction !== 'recv')
			throw badRequest('wrong-direction', `transport ${request.transportId} is for sending; consume on a 'recv' transport`);
		const producerEntry = this.#producers.get(request.producerId);
		if (!producerEntry) throw notFound('producer', request.producerId);
		if (!this.router.canConsume({ producerId: request.producerId, rtpCapabilities: request.rtpCapabilities }))
			throw badRequest(
				'cannot-consume',
				`these RTP capabilities cannot receive producer ${request.producerId} (${producerEntry.kind}; the session sends VP8 and Opus)`,
			);
		// One consumer of a producer per transport: asking again (a page that re-subscribes, or a script in a
		// loop) replaces the old one, so a participant holds at most what the session produces, per transport.
		for (const old of this.#participants.get(participantId)?.consumers.values() ?? [])
			if (old.producer === producerEntry && old.consumer.appData.transportId === entry.transport.id) old.consumer.close();
		const consumer = await this.#guard(() =>
			entry.transport.consume({
				producerId: request.producerId,
				rtpCapabilities: request.rtpCapabilities,
				paused: true,
				appData: { participantId, transportId: entry.transport.id },
			}),
		);
		const participant = this.#participant(participantId);
		const consumerEntry: ConsumerEntry = { consumer, participantId, producer: producerEntry };
		participant.consumers.set(consumer.id, consumerEntry);
		consumer.observer.once('close', () => participant.consumers.delete(consumer.id));
		consumer.on('transportclose', () => consumer.close());
		consumer.on('producerclose', () => consumer.close());
		return {
			consumerId: consumer.id,
			producerId: producerEntry.producer.id,
			kind: consumer.kind,
			rtpParameters: consumer.rtpParameters,
			source: producerEntry.source,
			producerParticipantId: producerEntry.participantId,
			producerPaused: consumer.producerPaused,
		};
	}

	/** Consumers start paused; resuming one also asks the sender for a key frame so the first picture comes at once. */
	async resumeConsumer(participantId: string, consumerId: string): Promise<void> {
		const participant = this.#participants.get(participantId);
		const entry = participant?.consumers.get(consumerId);
		if (!entry) {
			if (this.#ownerOfConsumer(consumerId)) throw forbidden(`consumer ${consumerId} belongs to another participant`);
			throw notFound('consumer', consumerId);
		}
		await this.#guard(async () => {
			await entry.consumer.resume();
			if (entry.consumer.kind === 'video') await entry.consumer.requestKeyFrame();
		});
	}

	/** Bytes and packets per producer (received) and consumer (sent): what this session forwards. */
	async mediaStats(): Promise<SessionMediaStats> {
		const rtp = (stats: { type: string; byteCount?: number; packetCount?: number }[], type: string) =>
			stats
				.filter((s) => s.type === type)
				.reduce((sum, s) => ({ byteCount: sum.byteCount + (s.byteCount ?? 0), packetCount: sum.packetCount + (s.packetCount ?? 0) }), {
					byteCount: 0,
					packetCount: 0,
				});
		const producers = await Promise.all(
			[...this.#producers.values()].map(async (p) => ({
				producerId: p.producer.id,
				participantId: p.participantId,
				source: p.source,
				paused: p.producer.paused,
				score: p.producer.score[0]?.score ?? null,
				...rtp(await p.producer.getStats().catch(() => []), 'inbound-rtp'),
			})),
		);
		const consumers = await Promise.all(
			[...this.#participants.values()].flatMap((participant) =>
				[...participant.consumers.values()].map(async (c) => ({
					consumerId: c.consumer.id,
					participantId: c.participantId,
					producerId: c.producer.producer.id,
					paused: c.consumer.paused,
					...rtp(await c.consumer.getStats().catch(() => []), 'outbound-rtp'),
				})),
			),
		);
		return { producers, consumers };
	}

	// ------------------------------------------------------------------ participants, session

	/** Closes everything the participant owns. Unknown participants are fine (idempotent). */
	closeParticipant(participantId: string, reason: ProducerCloseReason = 'participant-closed'): void {
		const participant = this.#participants.get(participantId);
		if (!participant) return;
		for (const entry of participant.producers.values()) this.#closeProducer(entry, reason);
		for (const entry of participant.transports.values()) this.#closeTransport(entry, reason);
		this.#participants.delete(participantId);
	}

	startRecording(recordingId: string): SessionRecording {
		if (this.#recording && !this.#recording.stopped)
			throw new SfuError(409, 'conflict', `session ${this.sessionId} is already recording (${this.#recording.recordingId})`);
		const recording = this.#deps.createRecording(this, recordingId);
		this.#recording = recording;
		return recording;
	}

	async stopRecording(): Promise<RecordingManifest> {
		const recording = this.#recording;
		if (!recording || recording.stopped) throw new SfuError(409, 'conflict', `session ${this.sessionId} is not recording`);
		return recording.stop();
	}

	/** Stops the recording cleanly, then closes every participant and the router. */
	async close(): Promise<RecordingManifest | null> {
		if (this.#closed) return null;
		this.#closed = true;
		const manifest = this.#recording && !this.#recording.stopped ? await this.#recording.stop() : null;
		for (const participantId of [...this.#participants.keys()]) this.closeParticipant(participantId, 'session-closed');
		this.router.close();
		return manifest;
	}

	/** The worker under this router died: everything is gone already; say nothing per producer. */
	workerDied(reason: string): void {
		this.#closed = true;
		this.#recording?.abort(`the media worker died: ${reason}`);
		this.#participants.clear();
		this.#producers.clear();
	}

	// ------------------------------------------------------------------ inside

	#participant(participantId: string): ParticipantMedia {
		let participant = this.#participants.get(participantId);
		if (!participant) {
			participant = new ParticipantMedia();
			this.#participants.set(participantId, participant);
		}
		return participant;
	}

	#adoptTransport(participantId: string, direction: TransportDirection, transport: ms.WebRtcTransport | ms.PlainTransport): TransportEntry {
		const participant = this.#participant(participantId);
		const entry: TransportEntry = { transport, participantId, direction, closeReason: undefined };
		participant.transports.set(transport.id, entry);
		(transport.observer as ms.TransportObserver).once('close', () => participant.transports.delete(transport.id));
		return entry;
	}

	/**
	 * The browser starts its ICE checks as soon as it connects a transport. None at all after a while: its
	 * network lets neither UDP nor TCP through to our ports — core tells the people of the session.
	 */
	#watchReachability(transport: ms.WebRtcTransport, participantId: string, direction: TransportDirection): void {
		const timer = setTimeout(() => {
			if (transport.closed || transport.iceState !== 'new' || this.closed) return;
			log.warn('transport unreachable', { sessionId: this.sessionId, participantId, transportId: transport.id });
			this.#deps.publish({ type: 'transport.unreachable', sessionId: this.sessionId, participantId, direction });
		}, this.#deps.transportSettings.unreachableAfterMs);
		timer.unref();
		transport.observer.once('close', () => clearTimeout(timer));
	}

	#ownTransport(participantId: string, transportId: string): TransportEntry {
		const entry = this.#participants.get(participantId)?.transports.get(transportId);
		if (entry) return entry;
		for (const other of this.#participants.values())
			if (other.transports.has(transportId)) throw forbidden(`transport ${transportId} belongs to another participant`);
		throw notFound('transport', transportId);
	}

	#ownProducer(participantId: string, producerId: string): ProducerEntry {
		const entry = this.#producers.get(producerId);
		if (!entry) throw notFound('producer', producerId);
		if (entry.participantId !== participantId) throw forbidden(`producer ${producerId} belongs to another participant`);
		return entry;
	}

	#ownerOfConsumer(consumerId: string): string | undefined {
		for (const [participantId, participant] of this.#participants) if (participant.consumers.has(consumerId)) return participantId;
		return undefined;
	}

	#closeTransport(entry: TransportEntry, reason: ProducerCloseReason): void {
		if (entry.transport.closed) return;
		entry.closeReason = reason;
		entry.transport.close();
	}

	#closeProducer(entry: ProducerEntry, reason: ProducerCloseReason): void {
		if (!this.#producers.delete(entry.producer.id)) return;
		this.#participants.get(entry.participantId)?.producers.delete(entry.producer.id);
		if (!entry.producer.closed) entry.producer.close();
		// A dead worker took everything with it: `worker.died` tells core, not one event per producer.
		if (this.router.closed && !this.#closed) return;
		this.#deps.publish({
			type: 'producer.closed',
			sessionId: this.sessionId,
			participantId: entry.participantId,
			producerId: entry.producer.id,
			source: entry.source,
			reason,
		});
	}

	/** Codecs the router lacks are refused here, clearly, before mediasoup sees them. */
	#refuseUnsupportedCodecs(kind: MediaKind, rtpParameters: ms.RtpParameters): void {
		const supported = this.router.rtpCapabilities.codecs ?? [];
		const media = rtpParameters.codecs.filter((c) => !/\/(rtx|red|ulpfec|flexfec-03)$/i.test(c.mimeType));
		if (media.length === 0) throw badRequest('unsupported-codec', 'rtpParameters.codecs has no media codec');
		for (const codec of media) {
			if (!codec.mimeType.toLowerCase().startsWith(`${kind}/`))
				throw badRequest('invalid-request', `codec ${codec.mimeType} is not a ${kind} codec`);
			if (!supported.some((s) => s.mimeType.toLowerCase() === codec.mimeType.toLowerCase() && s.clockRate === codec.clockRate))
				throw badRequest(
					'unsupported-codec',
					`codec ${codec.mimeType}/${codec.clockRate} is not supported by this session; it accepts ${mediaCodecs.map((c) => c.mimeType).join(' and ')}`,
				);
		}
	}

	async #guard<T>(action: () => Promise<T>): Promise<T> {
		if (this.closed) throw notFound('session', this.sessionId);
		try {
			return await action();
		} catch (error) {
			throw fromMediasoupError(error);
		}
	}
}
