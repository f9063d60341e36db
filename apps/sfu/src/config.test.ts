import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { readSfuConfig } from './config.ts';

it('needs a secret of 16 characters or more, and defaults the rest', () => {
	expect(() => readSfuConfig({})).toThrow(/TANDEM_SFU_SECRET is required/);
	expect(() => readSfuConfig({ TANDEM_SFU_SECRET: 'short' })).toThrow(/at least 16/);
	expect(readSfuConfig({ TANDEM_SFU_SECRET: 's'.repeat(16), TANDEM_DATA_DIR: '/srv/tandem' })).toEqual({
		host: '127.0.0.1',
		port: 3100,
		secret: 's'.repeat(16),
		listenIp: '127.0.0.1',
		announcedIp: undefined,
		rtcMinPort: 40000,
		rtcMaxPort: 40999,
		recordingMinPort: 41000,
		recordingMaxPort: 41999,
		workers: os.availableParallelism(),
		recordingsDir: path.resolve('/srv/tandem/recordings'),
		ffmpegPath: 'ffmpeg',
		unreachableAfterMs: 10_000,
	});
});

it('reads every setting, and treats empty variables as unset', () => {
	const config = readSfuConfig({
		TANDEM_SFU_SECRET: 'x'.repeat(20),
		TANDEM_SFU_HOST: '0.0.0.0',
		TANDEM_SFU_PORT: '4100',
		TANDEM_SFU_LISTEN_IP: '0.0.0.0',
		TANDEM_SFU_ANNOUNCED_IP: '',
		TANDEM_SFU_RTC_MIN_PORT: '50000',
		TANDEM_SFU_RTC_MAX_PORT: '50100',
		TANDEM_SFU_WORKERS: '3',
		TANDEM_RECORDINGS_DIR: '/var/rec',
		TANDEM_SFU_UNREACHABLE_MS: '2500',
	});
	expect(config).toMatchObject({
		unreachableAfterMs: 2500,
		host: '0.0.0.0',
		port: 4100,
		listenIp: '0.0.0.0',
		announcedIp: undefined,
		rtcMinPort: 50000,
		rtcMaxPort: 50100,
		workers: 3,
		recordingsDir: '/var/rec',
	});
	expect(() =>
		readSfuConfig({ TANDEM_SFU_SECRET: 'x'.repeat(20), TANDEM_SFU_RTC_MIN_PORT: '5000', TANDEM_SFU_RTC_MAX_PORT: '4000' }),
	).toThrow(/below/);
	expect(() => readSfuConfig({ TANDEM_SFU_SECRET: 'x'.repeat(20), TANDEM_SFU_LISTEN_IP: 'not-an-ip' })).toThrow(/TANDEM_SFU_LISTEN_IP/);
});
