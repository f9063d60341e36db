// Who may do what with a file's bytes (SPEC §9), as pure rules over its record: only its sender and its
// recipients who accepted download it, once it is complete and until its retention period is over.
// Assistants and other customers see that it was sent, never its bytes. (After the session, reps who may
// see its report download it too: who took part is in the projections, so the download service asks.)
// A rep is matched by their rep id as well as by participant: a rep who left and came back is a new
// participant, but still the one who sent or received the file.

import type { Viewer } from './capabilities.ts';
import type { FileParty, FileRecord } from './model.ts';

export type FilePart = 'sender' | 'recipient' | null;

const is = (party: FileParty, viewer: Viewer): boolean =>
	viewer.kind === 'rep' ? party.repId === viewer.repId : party.participantId === viewer.participantId;

/** The viewer's part in a transfer: they send it, receive it, or only see that it was sent. */
export function partIn(file: FileRecord, viewer: Viewer): FilePart {
	if (is(file.sender, viewer)) return 'sender';
	if (file.recipients.some((r) => is(r, viewer))) return 'recipient';
	return null;
}

/** Whether the viewer is a recipient who accepted the offer. */
export const hasAccepted = (file: FileRecord, viewer: Viewer): boolean =>
	file.recipients.some((r) => is(r, viewer) && file.acceptedBy.includes(r.participantId));

/** Whether the viewer may download the file now, by their part in it. */
export const mayDownload = (file: FileRecord, viewer: Viewer): boolean =>
	file.status === 'complete' && (partIn(file, viewer) === 'sender' || hasAccepted(file, viewer));
