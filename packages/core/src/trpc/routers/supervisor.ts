// The supervisor view's feed (SPEC §8): for administrators, the whole picture at once and again whenever a
// session, an agent or a queue changes — and every few seconds, for what changes without an event (a console
// opened or closed makes an agent there or away). News while a picture is being made folds into the next one.

import { supervisorView, type SupervisorView } from '../../service/supervision.ts';
import { adminProcedure, router } from '../trpc.ts';

/** What changes without an event of its own (consoles coming and going) is seen this often. */
const REFRESH_MS = 5_000;

export const supervisorRouter = router({
	watch: adminProcedure.subscription(async function* ({ ctx, signal }): AsyncGenerator<SupervisorView> {
		const { bus, db, acd, clock, reps } = ctx.services;
		let news = true;
		let ended = false;
		let wake: (() => void) | null = null;
		const poke = () => {
			news = true;
			wake?.();
		};
		const stops = [
			bus.subscribe(poke),
			bus.subscribeAcd(poke),
			bus.subscribeLine(poke),
			// An administrator disabled meanwhile sees no more.
			reps.onLoginsEnded((repId) => {
				if (repId !== ctx.rep.id) return;
				ended = true;
				wake?.();
			}),
		];
		const timer = setInterval(poke, REFRESH_MS);
		timer.unref?.();
		const stop = () => wake?.();
		signal?.addEventListener('abort', stop);
		try {
			while (!signal?.aborted && !ended) {
				if (!news) {
					await new Promise<void>((resolve) => (wake = resolve));
					wake = null;
					continue;
				}
				news = false;
				yield await supervisorView({ db, acd, clock });
			}
		} finally {
			clearInterval(timer);
			for (const s of stops) s();
			signal?.removeEventListener('abort', stop);
		}
	}),
});
