// The bus carries committed session changes to every open feed. In-process here; a broker
// (PostgreSQL LISTEN/NOTIFY, NATS) takes its place when several nodes run.

import type { PointerMove } from '../annotation/annotations.ts';
import type { TypingChange } from '../chat/chat.ts';
import type { SessionEvent, SessionState } from '../session/model.ts';

/** A session's event as committed to the log: its global id (the feed's position) and its sequence. */
export interface StoredEvent {
	id: number;
	sessionId: string;
	seq: number;
	event: SessionEvent;
}

export interface SessionChange {
	sessionId: string;
	/** The state after the events. */
	state: SessionState;
	/** The state before them (null for a new session): who was in it matters to who must hear. */
	before: SessionState | null;
	events: StoredEvent[];
}

export type BusListener = (change: SessionChange) => void;

/** Media moved in a session (a producer came or went): pages refetch what they can consume. */
export interface MediaChange {
	sessionId: string;
	/** Who may hear of it: the session's participants at the time. */
	participantIds: string[];
	repIds: string[];
}

/**
 * How far a file's upload has come (SPEC §9: progress on both sides): bytes the server holds of it, told
 * to its sender and recipients as they arrive (at most a few times a second). Not an event of the record.
 */
export interface FileProgress {
	sessionId: string;
	fileId: string;
	/** Bytes stored so far: sent, for the sender; available, for a recipient. */
	bytes: number;
	size: number;
	/** Who may hear of it: the file's sender and recipients. */
	participantIds: string[];
	repIds: string[];
}

/** A WebACD queue's line now: waiting sessions in order and the estimated wait per place (null: nobody there). */
export interface LineChange {
	queueId: string;
	sessionIds: string[];
	perPlaceMs: number | null;
}

export class Bus {
	private listeners = new Set<BusListener>();
	private mediaListeners = new Set<(change: MediaChange) => void>();
	private lineListeners = new Set<(change: LineChange) => void>();
	private acdListeners = new Set<() => void>();
	private typingListeners = new Set<(change: TypingChange) => void>();
	private pointerListeners = new Set<(move: PointerMove) => void>();
	private fileProgressListeners = new Set<(progress: FileProgress) => void>();
	/** The last line told of each queue, for feeds that open after it was told. */
	private readonly lines = new Map<string, LineChange>();

	publishLine(change: LineChange): void {
		this.lines.set(change.queueId, change);
		for (const listener of this.lineListeners) listener(change);
	}

	subscribeLine(listener: (change: LineChange) => void): () => void {
		this.lineListeners.add(listener);
		return () => this.lineListeners.delete(listener);
	}

	lastLine(queueId: string): LineChange | undefined {
		return this.lines.get(queueId);
	}

	/** An agent's state or a queue changed (the supervisor view shows both). */
	publishAcd(): void {
		for (const listener of this.acdListeners) listener();
	}

	subscribeAcd(listener: () => void): () => void {
		this.acdListeners.add(listener);
		return () => this.acdListeners.delete(listener);
	}

	/** The remote pointer moved over a shared screen (not stored: only pages open now see it). */
	publishPointer(move: PointerMove): void {
		for (const listener of this.pointerListeners) listener(move);
	}

	subscribePointer(listener: (move: PointerMove) => void): () => void {
		this.pointerListeners.add(listener);
		return () => this.pointerListeners.delete(listener);
	}

	/** Someone is typing in a session's chat (not stored: only pages open now hear it). */
	publishTyping(change: TypingChange): void {
		for (const listener of this.typingListeners) listener(change);
	}

	subscribeTyping(listener: (change: TypingChange) => void): () => void {
		this.typingListeners.add(listener);
		return () => this.typingListeners.delete(listener);
	}

	publishFileProgress(progress: FileProgress): void {
		for (const listener of this.fileProgressListeners) listener(progress);
	}

	subscribeFileProgress(listener: (progress: FileProgress) => void): () => void {
		this.fileProgressListeners.add(listener);
		return () => this.fileProgressListeners.delete(listener);
	}

	publishMedia(change: MediaChange): void {
		for (const listener of this.mediaListeners) listener(change);
	}

	subscribeMedia(listener: (change: MediaChange) => void): () => void {
		this.mediaListeners.add(listener);
		return () => this.mediaListeners.delete(listener);
	}

	publish(change: SessionChange): void {
		for (const listener of this.listeners) {
			try {
				listener(change);
			} catch (error) {
				console.error('feed listener failed', error);
			}
		}
	}

	subscribe(listener: BusListener): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	get size(): number {
		return this.listeners.size;
	}
}
