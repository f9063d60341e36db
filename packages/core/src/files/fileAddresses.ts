// Where a page sends a file's bytes and gets them back (SPEC §9); no server code here: the pages import it.

/** Uploads, by the tus protocol: a create (POST) here names the offered file's id in its Upload-Metadata. */
export const FILES_PATH = '/console/api/files';

/**
 * The bytes a page sends in one upload request (tus-js-client's `chunkSize`): the console's server takes
 * request bodies up to a little more (BODY_SIZE_LIMIT in apps/console/server.js).
 */
export const UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024;

/** An upload's own address (tus: HEAD, PATCH, DELETE). */
export const uploadUrlOf = (fileId: string): string => `${FILES_PATH}/${fileId}`;

/** Where a complete file is downloaded (GET, HEAD; Range). */
export const downloadUrlOf = (fileId: string): string => `${FILES_PATH}/${fileId}/content`;
