// A page sends a file (SPEC §9): the offer, then its bytes by tus from where they stopped, with progress.
// The tus client is handed in (each page loads tus-js-client lazily, only when a file is sent); nothing of
// the server here.

import { FILES_PATH, UPLOAD_CHUNK_BYTES } from './fileAddresses.ts';

/** What this needs of tus-js-client's Upload. */
export interface TusUploadClass {
	new (
		file: File,
		options: {
			endpoint: string;
			chunkSize: number;
			retryDelays: number[];
			metadata: Record<string, string>;
			removeFingerprintOnSuccess: boolean;
			onProgress: (sent: number, total: number) => void;
			onSuccess: () => void;
			onError: (error: Error) => void;
		},
	): {
		start(): void;
		abort(terminate?: boolean): Promise<void>;
		findPreviousUploads(): Promise<unknown[]>;
		resumeFromPreviousUpload(u: unknown): void;
	};
}

/**
 * Sends the bytes of an offered file; resolves when the server has them all. A dropped connection is
 * retried from the offset the server has (tus), for about a minute; `abort` stops it.
 */
export function uploadFile(
	Upload: TusUploadClass,
	file: File,
	fileId: string,
	onProgress: (sent: number) => void,
): { done: Promise<void>; abort(): void } {
	let upload: InstanceType<TusUploadClass> | null = null;
	const done = new Promise<void>((resolve, reject) => {
		upload = new Upload(file, {
			endpoint: FILES_PATH,
			chunkSize: UPLOAD_CHUNK_BYTES,
			retryDelays: [0, 500, 1_000, 2_000, 4_000, 8_000, 15_000, 30_000],
			metadata: { fileId, filename: file.name },
			removeFingerprintOnSuccess: true,
			onProgress: (sent) => onProgress(sent),
			onSuccess: () => resolve(),
			onError: (error) => reject(error),
		});
		upload.start();
	});
	return { done, abort: () => void upload?.abort(false) };
}
