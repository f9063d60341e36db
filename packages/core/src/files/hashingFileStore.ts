// Where uploaded files' bytes are kept: tus's file store (one file per upload, named by its id, with a
// `<id>.json` beside it), which also computes each file's SHA-256 as its bytes arrive (SPEC §9) — so that a
// file of 100 MB is not read again when its last byte comes. The hash of an upload lives in memory with the
// offset it has reached; a resume at another offset (after a restart, or a request that broke off midway)
// first hashes again what is stored, so the digest is always that of the bytes on disk.

import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileStore } from '@tus/file-store';
import type { Upload } from '@tus/server';

interface Hashing {
	hash: Hash;
	/** How many bytes from the start the hash has taken in. */
	offset: number;
}

export class HashingFileStore extends FileStore {
	readonly #directory: string;
	readonly #hashes = new Map<string, Hashing>();
	/** Told of each chunk stored: the upload's id and the bytes it now holds. */
	readonly #stored: (id: string, offset: number) => void;

	constructor(options: { directory: string; stored?: (id: string, offset: number) => void }) {
		super({ directory: options.directory });
		this.#directory = options.directory;
		this.#stored = options.stored ?? (() => {});
	}

	/** The stored bytes of an upload (its id is a file's uuid, checked before it gets here). */
	pathOf(id: string): string {
		return join(this.#directory, id);
	}

	override async create(file: Upload): Promise<Upload> {
		// Created (again): it starts from nothing.
		this.#hashes.set(file.id, { hash: createHash('sha256'), offset: 0 });
		return super.create(file);
	}

	override async write(readable: Readable, id: string, offset: number): Promise<number> {
		const hashing = await this.#hashAt(id, offset);
		// Taken out of the map while it is written: if the write breaks off, what was hashed may not be what
		// was stored, and the next write hashes the stored bytes again.
		this.#hashes.delete(id);
		let reached = offset;
		const stored = this.#stored;
		const hashed = new Transform({
			transform(chunk: Buffer, _encoding, done) {
				hashing.hash.update(chunk);
				reached += chunk.length;
				stored(id, reached);
				done(null, chunk);
			},
		});
		const source = new PassThrough();
		const feeding = pipeline(readable, hashed, source);
		const [written] = await Promise.all([super.write(source, id, offset), feeding]);
		if (written === reached) this.#hashes.set(id, { hash: hashing.hash, offset: reached });
		return written;
	}

	/** The hex SHA-256 of an upload's first `size` bytes (all of them, once complete). */
	async digest(id: string, size: number): Promise<string> {
		const hashing = await this.#hashAt(id, size);
		this.#hashes.set(id, hashing);
		return hashing.hash.copy().digest('hex');
	}

	/** Removes an upload's bytes and its record; nothing there is no error (it may be removed twice). */
	async discard(id: string): Promise<void> {
		this.#hashes.delete(id);
		await rm(this.pathOf(id), { force: true });
		await rm(`${this.pathOf(id)}.json`, { force: true });
	}

	/** The hash of an upload's first `offset` bytes: the one in memory, or made again from the stored bytes. */
	async #hashAt(id: string, offset: number): Promise<Hashing> {
		const known = this.#hashes.get(id);
		if (known && known.offset === offset) return known;
		const hash = createHash('sha256');
		if (offset > 0) {
			for await (const chunk of createReadStream(this.pathOf(id), { start: 0, end: offset - 1 })) hash.update(chunk as Buffer);
		}
		return { hash, offset };
	}
}
