// A producer as the media server keeps it: who sent it and which source it carries. Its own module, so that a
// session's media (sessionMedia.ts) and its recording (recording.ts) both use it without importing each other.
import type { types as ms } from 'mediasoup';
import type { MediaKind, MediaSource } from '@tandem/sfu-contract';

export type ProducerEntry = { producer: ms.Producer; participantId: string; source: MediaSource; kind: MediaKind };
