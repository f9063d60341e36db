// The customer's media: one MediaSession for their session, mediasoup-client loaded on demand.
// Lives in the Remote Support page's chunk, never in the first load.

import type { SessionView } from '@tandem/core/client';
import { mediaApiOf, MediaSession, type MediaSource, type MediaTrouble, type RemoteTrack } from '@tandem/core/media-client';
import { trpc } from './trpc.ts';

const api = mediaApiOf(trpc.media);

export class CustomerMedia {
	version = $state(0);
	private readonly media: MediaSession;

	constructor(sessionId: string) {
		this.media = new MediaSession(api, sessionId, async () => {
			const { Device } = await import('mediasoup-client');
			return new Device();
		});
		this.media.onchange = () => this.version++;
	}

	get remote(): RemoteTrack[] {
		void this.version;
		return this.media.remote;
	}

	/** What the customer is told now of their connection to the media server. */
	get trouble(): MediaTrouble | null {
		void this.version;
		return this.media.trouble;
	}

	sending(source: MediaSource): boolean {
		void this.version;
		return this.media.isSending(source);
	}

	local(source: MediaSource): MediaStreamTrack | null {
		void this.version;
		return this.media.local(source);
	}

	sync(): void {
		void this.media.sync();
	}

	/** The rules ended something of mine (focus moved, control transferred): let go of it here too. */
	follow(view: SessionView): void {
		this.media.follow(view);
	}

	share(): Promise<void> {
		return this.media.capture('screen');
	}

	camera(): Promise<void> {
		return this.media.capture('camera');
	}

	microphone(): Promise<void> {
		return this.media.capture('microphone');
	}

	stop(source: MediaSource): Promise<void> {
		return this.media.stopSending(source);
	}

	close(): void {
		this.media.close();
	}
}
