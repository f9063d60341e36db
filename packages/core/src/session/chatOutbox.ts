// A page's side of the chat (SPEC §9), the same for the console and the support site: lines on their way
// show at once as sending; one that fails stays, with why, to be tried again under the same id — so the
// server posts it once whatever became of the first try. And the pace of "is typing" notices. Free of any
// framework: each page keeps `lines` in its own state through `changed`.

/** A line written on this page that the server has not confirmed. */
export interface OutgoingLine {
	messageId: string;
	text: string;
	/** Why it did not go out (then it can be tried again); null while on its way. */
	failed: string | null;
}

export class ChatOutbox {
	lines: OutgoingLine[] = [];
	private readonly post: (line: { messageId: string; text: string }) => Promise<unknown>;
	private readonly why: (error: unknown) => string;
	private readonly changed: (lines: OutgoingLine[]) => void;

	constructor(options: {
		post: (line: { messageId: string; text: string }) => Promise<unknown>;
		why: (error: unknown) => string;
		changed: (lines: OutgoingLine[]) => void;
	}) {
		this.post = options.post;
		this.why = options.why;
		this.changed = options.changed;
	}

	/** Sends a line (trimmed; nothing for an empty one). */
	send(text: string): void {
		const trimmed = text.trim();
		if (!trimmed) return;
		const line = { messageId: crypto.randomUUID(), text: trimmed, failed: null };
		this.set([...this.lines, line]);
		void this.deliver(line);
	}

	retry(messageId: string): void {
		const line = this.lines.find((l) => l.messageId === messageId);
		if (!line) return;
		this.set(this.lines.map((l) => (l.messageId === messageId ? { ...l, failed: null } : l)));
		void this.deliver(line);
	}

	private async deliver(line: { messageId: string; text: string }): Promise<void> {
		try {
			await this.post({ messageId: line.messageId, text: line.text });
			// Posted: the feed shows it (as a rule it has arrived by now).
			this.set(this.lines.filter((l) => l.messageId !== line.messageId));
		} catch (error) {
			const failed = this.why(error);
			this.set(this.lines.map((l) => (l.messageId === line.messageId ? { ...l, failed } : l)));
		}
	}

	private set(lines: OutgoingLine[]): void {
		this.lines = lines;
		this.changed(lines);
	}
}

/** How often a page tells the others that its person is typing (the server drops more than one a second). */
export const TYPING_NOTICE_EVERY_MS = 3_000;

/** Tells of typing at most every few seconds, and only while there is text. */
export function typingNotices(notify: () => void): (text: string) => void {
	let last = 0;
	return (text) => {
		const now = Date.now();
		if (!text.trim() || now - last < TYPING_NOTICE_EVERY_MS) return;
		last = now;
		notify();
	};
}

/** Enter sends; Shift+Enter breaks the line; a key that completes an input method's composition does neither. */
export const sendsOnEnter = (e: { key: string; shiftKey: boolean; isComposing: boolean }): boolean =>
	e.key === 'Enter' && !e.shiftKey && !e.isComposing;
