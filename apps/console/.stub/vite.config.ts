// THROWAWAY: the real config plus an alias of @tandem/core/server to the stub. Delete.
import { fileURLToPath } from 'node:url';
import { mergeConfig } from 'vite';
import base from '../vite.config.ts';
export default mergeConfig(base, {
  resolve: { alias: { '@tandem/core/server': fileURLToPath(new URL('./server.ts', import.meta.url)) } },
});
