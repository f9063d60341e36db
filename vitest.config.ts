import { defineConfig } from 'vitest/config';

export default defineConfig({
	test: {
		projects: [
			{
				test: {
					name: 'unit',
					include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'messages/**/*.test.ts'],
				},
			},
			{
				test: {
					name: 'api',
					include: ['packages/*/test/**/*.test.ts'],
					globalSetup: ['packages/db/test/postgresServer.ts'],
					testTimeout: 60_000,
					hookTimeout: 120_000,
				},
			},
			{
				test: {
					name: 'sfu',
					include: ['apps/sfu/test/**/*.test.ts'],
					testTimeout: 60_000,
					hookTimeout: 60_000,
					fileParallelism: false,
				},
			},
			{
				test: {
					name: 'browser',
					include: ['tests/browser/**/*.test.ts'],
					globalSetup: ['tests/browser/server.ts'],
					setupFiles: ['tests/browser/setup.ts'],
					testTimeout: 90_000,
					hookTimeout: 120_000,
					// A page's answer may cross the server and another page: as long as the helpers' waits, not 1 s.
					expect: { poll: { timeout: 15_000, interval: 100 } },
					fileParallelism: false,
				},
			},
		],
	},
});
