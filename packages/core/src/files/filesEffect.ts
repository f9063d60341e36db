// What follows a file transfer's events, durably (ARCHITECTURE principle 4): a transfer cancelled — by
// someone, or by a transfer of control, of the session, an end, a participant leaving — has its partial
// bytes removed; a file whose upload completed gets its retention timer. A durable consumer of the log
// (effects/effectConsumer.ts) on the one node that holds its lease: after a crash it resumes from its
// cursor, and seeing an event twice does no harm (removing what is gone, arming the same timer again).

import type { Effect } from '../effects/effectConsumer.ts';
import type { LoggedEvent } from '../log/eventLog.ts';
import type { SessionEvent } from '../session/model.ts';
import type { FileTransfers } from './fileTransfers.ts';

export class FilesEffect implements Effect {
	readonly name = 'files';
	readonly #files: FileTransfers;

	constructor(files: FileTransfers) {
		this.#files = files;
	}

	async handle(batch: LoggedEvent[]): Promise<boolean> {
		let acted = false;
		for (const { kind, aggregateId: sessionId, event: logged } of batch) {
			if (kind !== 'session') continue;
			const event = logged as SessionEvent;
			switch (event.type) {
				case 'file.cancelled':
				case 'file.expired':
					await this.#files.store.discard(event.fileId);
					acted = true;
					break;
				case 'file.uploaded':
					await this.#files.keepUntil(sessionId, event.fileId, event.at);
					acted = true;
					break;
				default:
					break;
			}
		}
		return acted;
	}
}
