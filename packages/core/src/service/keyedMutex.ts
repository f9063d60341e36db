// In-process serialisation by key. PostgreSQL advisory locks serialise across nodes; this keeps one
// node's own concurrent commands for the same session or rep in line (and is all PGlite needs).

export class KeyedMutex {
	private tails = new Map<string, Promise<void>>();

	async run<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
		const sorted = [...new Set(keys)].sort();
		const releases: (() => void)[] = [];
		try {
			for (const key of sorted) releases.push(await this.acquire(key));
			return await work();
		} finally {
			for (const release of releases.reverse()) release();
		}
	}

	private async acquire(key: string): Promise<() => void> {
		const previous = this.tails.get(key) ?? Promise.resolve();
		let release!: () => void;
		const mine = new Promise<void>((resolve) => (release = resolve));
		const tail = previous.then(() => mine);
		this.tails.set(key, tail);
		await previous;
		return () => {
			release();
			if (this.tails.get(key) === tail) this.tails.delete(key);
		};
	}
}
