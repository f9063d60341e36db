// A transferred file's bytes (SPEC §9): to its sender, a recipient who accepted it, and after the session to
// reps who may see its report — as an attachment, never sniffed, with Range (services.files.download).
import { download } from '#lib/server/fileRoutes.ts';

export const GET = download;
export const HEAD = download;
