// THROWAWAY stub of @tandem/core/server for verifying the console skeleton. Delete.
import { initTRPC, tracked } from '@trpc/server';
export interface TandemConfig { databaseUrl?: string; dataDir: string; publicUrl: string }
type Context = { ua: string | null };
const t = initTRPC.context<Context>().create();
const router = t.router({
  hello: t.procedure.query(({ ctx }) => ({ hello: 'world', ua: ctx.ua })),
  ticks: t.procedure.subscription(async function* () {
    for (let i = 1; i <= 3; i++) { yield tracked(String(i), { i }); await new Promise((r) => setTimeout(r, 100)); }
  }),
});
export type AppRouter = typeof router;
export interface Tandem { router: AppRouter; createContext(opts: { req: Request; resHeaders: Headers }): Promise<Context>; close(): Promise<void> }
export function loadConfig(env: Record<string, string | undefined>): TandemConfig {
  return { dataDir: env.TANDEM_DATA_DIR ?? 'data', publicUrl: env.TANDEM_PUBLIC_URL ?? 'http://127.0.0.1:3000' };
}
export async function createTandem(config: TandemConfig): Promise<Tandem> {
  console.log('[stub] createTandem', config);
  return {
    router,
    async createContext({ req }) { return { ua: req.headers.get('user-agent') }; },
    async close() { await new Promise((r) => setTimeout(r, 200)); console.log('[stub] closed'); },
  };
}
