// A page's chat lines on their way: shown at once, kept when they fail, tried again under the same id.
import { describe, expect, it } from 'vitest';
import { ChatOutbox, sendsOnEnter, type OutgoingLine } from './chatOutbox.ts';

describe('the chat outbox', () => {
	it('a failed line stays with why, and a retry posts it under the same id; a posted line leaves', async () => {
		const posted: { messageId: string; text: string }[] = [];
		let fail = true;
		let shown: OutgoingLine[] = [];
		const outbox = new ChatOutbox({
			post: async (line) => {
				posted.push(line);
				if (fail) throw new Error('offline');
			},
			why: (e) => (e as Error).message,
			changed: (lines) => (shown = lines),
		});
		outbox.send('  Hello  ');
		expect(shown).toMatchObject([{ text: 'Hello', failed: null }]);
		await Promise.resolve();
		await Promise.resolve();
		expect(shown).toMatchObject([{ text: 'Hello', failed: 'offline' }]);
		fail = false;
		outbox.retry(shown[0]!.messageId);
		await Promise.resolve();
		await Promise.resolve();
		expect(shown).toEqual([]);
		expect(posted).toHaveLength(2);
		expect(posted[1]!.messageId).toBe(posted[0]!.messageId);
		outbox.send('   ');
		expect(posted).toHaveLength(2);
	});

	it('Enter sends, Shift+Enter and an input method composing do not', () => {
		expect(sendsOnEnter({ key: 'Enter', shiftKey: false, isComposing: false })).toBe(true);
		expect(sendsOnEnter({ key: 'Enter', shiftKey: true, isComposing: false })).toBe(false);
		expect(sendsOnEnter({ key: 'Enter', shiftKey: false, isComposing: true })).toBe(false);
	});
});
