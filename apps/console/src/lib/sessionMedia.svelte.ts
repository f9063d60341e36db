// The console's media: one MediaSession per support session, created when media is first used or
// seen, loading mediasoup-client on demand. Keeps local state in step with what the rules say.

import type { SessionView } from '@tandem/core/client';
import { mediaApiOf, MediaSession, type MediaSource, type MediaTrouble, type RemoteTrack } from '@tandem/core/media-client';
import { trpc } from './trpc.ts';

const api = mediaApiOf(trpc.media);

const loadDevice = async () => {
	const { Device } = await import('mediasoup-client');
	return new Device();
};

export class ConsoleMedia {
	/** Bumped on every media change, so views re-read remote tracks. */
	version = $state(0);
	private readonly sessions = new Map<string, MediaSession>();

	of(sessionId: string): MediaSession {
		let media = this.sessions.get(sessionId);
		if (!media) {
			media = new MediaSession(api, sessionId, loadDevice);
			media.onchange = () => this.version++;
			this.sessions.set(sessionId, media);
		}
		return media;
	}

	remote(sessionId: string): RemoteTrack[] {
		void this.version;
		return this.sessions.get(sessionId)?.remote ?? [];
	}

	sending(sessionId: string, source: MediaSource): boolean {
		void this.version;
		return this.sessions.get(sessionId)?.isSending(source) ?? false;
	}

	local(sessionId: string, source: MediaSource): MediaStreamTrack | null {
		void this.version;
		return this.sessions.get(sessionId)?.local(source) ?? null;
	}

	/** What the rep is told now of this session's connection to the media server. */
	trouble(sessionId: string): MediaTrouble | null {
		void this.version;
		return this.sessions.get(sessionId)?.trouble ?? null;
	}

	/** The feed said media moved in a session: consume what is new. */
	changed(sessionId: string): void {
		void this.of(sessionId).sync();
	}

	/** A new view of a session: drop my tracks the rules have ended; forget sessions I left. */
	follow(views: SessionView[]): void {
		for (const [id, media] of this.sessions) {
			const view = views.find((v) => v.id === id);
			if (!view) {
				media.close();
				this.sessions.delete(id);
				continue;
			}
			media.follow(view);
		}
		for (const view of views) {
			const anyMedia = view.activities.sharing.length > 0 || view.activities.video.length > 0 || view.activities.voiceCall;
			if (anyMedia && !this.sessions.has(view.id)) this.of(view.id).follow(view);
		}
	}

	share(sessionId: string): Promise<void> {
		return this.of(sessionId).capture('screen');
	}

	camera(sessionId: string): Promise<void> {
		return this.of(sessionId).capture('camera');
	}

	microphone(sessionId: string): Promise<void> {
		return this.of(sessionId).capture('microphone');
	}

	stop(sessionId: string, source: MediaSource): Promise<void> {
		return this.of(sessionId).stopSending(source);
	}

	closeAll(): void {
		for (const media of this.sessions.values()) media.close();
		this.sessions.clear();
	}
}
