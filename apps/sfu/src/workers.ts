import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import { setTimeout as sleep } from 'node:timers/promises';
import { SfuError } from './errors.ts';
import { log } from './log.ts';
import type { WorkerStats } from '@tandem/sfu-contract';

type WorkerSlot = { worker: ms.Worker | undefined; routers: number; lastCpu: { at: number; cpuMs: number } | undefined };

/**
 * One mediasoup worker (a C++ process, one core) per slot. Routers go to the worker with the fewest.
 * A worker that dies is reported (`onWorkerDied`, with the worker so the caller can find its sessions)
 * and replaced in its slot.
 */
export class WorkerPool {
	readonly #slots: WorkerSlot[];
	readonly #onWorkerDied: (worker: ms.Worker, reason: string) => void;
	#closed = false;

	constructor(size: number, onWorkerDied: (worker: ms.Worker, reason: string) => void) {
		this.#slots = Array.from({ length: size }, () => ({ worker: undefined, routers: 0, lastCpu: undefined }));
		this.#onWorkerDied = onWorkerDied;
	}

	async start(): Promise<void> {
		await Promise.all(this.#slots.map((slot) => this.#spawn(slot)));
	}

	get workers(): ms.Worker[] {
		return this.#slots.flatMap((slot) => (slot.worker ? [slot.worker] : []));
	}

	/** A new router on the least loaded live worker; `router.appData.workerPid` says which. */
	async createRouter(mediaCodecs: ms.RouterRtpCodecCapability[], appData: ms.AppData): Promise<ms.Router> {
		const live = this.#slots.filter((slot) => slot.worker && !slot.worker.closed);
		const slot = live.sort((a, b) => a.routers - b.routers)[0];
		if (!slot?.worker) throw new SfuError(503, 'unavailable', 'no media worker is running (one is being replaced); try again shortly');
		const router = await slot.worker.createRouter({ mediaCodecs, appData: { ...appData, workerPid: slot.worker.pid } });
		slot.routers++;
		router.observer.once('close', () => slot.routers--);
		return router;
	}

	async stats(): Promise<WorkerStats[]> {
		const now = Date.now();
		const stats: WorkerStats[] = [];
		for (const slot of this.#slots) {
			const worker = slot.worker;
			if (!worker || worker.closed) continue;
			const usage = await worker.getResourceUsage().catch(() => undefined);
			if (!usage) continue;
			const cpuMs = usage.ru_utime + usage.ru_stime;
			const last = slot.lastCpu;
			slot.lastCpu = { at: now, cpuMs };
			stats.push({
				pid: worker.pid,
				sessions: slot.routers,
				cpu: {
					userMs: usage.ru_utime,
					systemMs: usage.ru_stime,
					percentSinceLastStats: last && now > last.at ? Math.round(((cpuMs - last.cpuMs) / (now - last.at)) * 1000) / 10 : null,
				},
				maxRssKb: usage.ru_maxrss,
			});
		}
		return stats;
	}

	/** Closes every worker and waits (at most 5 s) for their processes to exit. */
	async close(): Promise<void> {
		this.#closed = true;
		const exits = this.#slots.map((slot) => {
			const worker = slot.worker;
			if (!worker) return Promise.resolve();
			const exited = new Promise<void>((resolve) => {
				worker.once('subprocessclose', () => resolve());
				setTimeout(resolve, 5000).unref();
			});
			worker.close();
			return exited;
		});
		await Promise.all(exits);
	}

	async #spawn(slot: WorkerSlot): Promise<void> {
		const worker = await mediasoup.createWorker({ logLevel: 'warn', disableLiburing: true });
		slot.worker = worker;
		slot.routers = 0;
		slot.lastCpu = undefined;
		log.info('worker started', { pid: worker.pid });
		worker.on('died', (error) => {
			const reason = error instanceof Error ? error.message : String(error);
			log.error('worker died', { pid: worker.pid, reason });
			slot.worker = undefined;
			this.#onWorkerDied(worker, reason);
			void this.#replace(slot);
		});
	}

	async #replace(slot: WorkerSlot): Promise<void> {
		for (let attempt = 0; !this.#closed; attempt++) {
			try {
				await this.#spawn(slot);
				return;
			} catch (error) {
				log.error('could not start a replacement worker', { attempt, error: String(error) });
				await sleep(Math.min(30_000, 500 * 2 ** attempt));
			}
		}
	}
}
