// The customer's media: one MediaSession for their session, mediasoup-client loaded on demand.
// Lives in the Remote Support page's chunk, never in the first load.

import type { SessionView } from '@tandem/core/client';
import { mediaApiOf, MediaSession, type MediaSource, type RemoteTrack } from '@tandem/core/media-client';
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
    this.media.followActivities(view.activities);
    const me = view.me?.participantId ?? '';
    if (this.media.isSending('screen') && !view.activities.sharing.includes(me)) this.media.dropLocal('screen');
    if (this.media.isSending('camera') && !view.activities.video.includes(me)) this.media.dropLocal('camera');
    if (this.media.isSending('microphone') && !view.activities.voiceCall) this.media.dropLocal('microphone');
    if (view.activities.sharing.length || view.activities.video.length || view.activities.voiceCall) this.sync();
  }

  async share(): Promise<void> {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
    await this.media.send('screen', stream.getVideoTracks()[0]!);
  }

  async camera(): Promise<void> {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 360 } }, audio: false });
    await this.media.send('camera', stream.getVideoTracks()[0]!);
  }

  async microphone(): Promise<void> {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true }, video: false });
    await this.media.send('microphone', stream.getAudioTracks()[0]!);
  }

  stop(source: MediaSource): Promise<void> {
    return this.media.stopSending(source);
  }

  close(): void {
    this.media.close();
  }
}
