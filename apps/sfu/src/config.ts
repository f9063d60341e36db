import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/** What the SFU process reads from its environment. Everything but the secret has a default. */
export type SfuConfig = {
	/** Where the control API listens: an internal address only core reaches. */
	host: string;
	port: number;
	/** Shared with core; every control request carries it in `x-tandem-sfu-secret`. */
	secret: string;
	/** The IP mediasoup's WebRTC transports bind to, and the one announced in ICE candidates if set. */
	listenIp: string;
	announcedIp: string | undefined;
	rtcMinPort: number;
	rtcMaxPort: number;
	/** UDP ports on 127.0.0.1 for the ffmpeg children that record (RTP + RTCP per track). */
	recordingMinPort: number;
	recordingMaxPort: number;
	workers: number;
	recordingsDir: string;
	ffmpegPath: string;
	/** How long a connected WebRTC transport may go without a single ICE check before the browser is taken for unable to reach us. */
	unreachableAfterMs: number;
};

const port = z.coerce.number().int().min(1).max(65535);

const sfuEnvSchema = z
	.object({
		TANDEM_SFU_HOST: z.string().min(1).default('127.0.0.1'),
		TANDEM_SFU_PORT: z.coerce.number().int().min(0).max(65535).default(3100), // 0: any free port
		TANDEM_SFU_SECRET: z.string({ error: 'TANDEM_SFU_SECRET is required' }).min(16, 'TANDEM_SFU_SECRET must be at least 16 characters'),
		TANDEM_SFU_LISTEN_IP: z.ipv4().or(z.ipv6()).default('127.0.0.1'),
		TANDEM_SFU_ANNOUNCED_IP: z.string().min(1).optional(),
		TANDEM_SFU_RTC_MIN_PORT: port.default(40000),
		TANDEM_SFU_RTC_MAX_PORT: port.default(40999),
		TANDEM_SFU_RECORDING_MIN_PORT: port.default(41000),
		TANDEM_SFU_RECORDING_MAX_PORT: port.default(41999),
		TANDEM_SFU_WORKERS: z.coerce
			.number()
			.int()
			.min(1)
			.max(64)
			.default(() => os.availableParallelism()),
		TANDEM_DATA_DIR: z.string().min(1).optional(),
		TANDEM_RECORDINGS_DIR: z.string().min(1).optional(),
		TANDEM_FFMPEG: z.string().min(1).default('ffmpeg'),
		TANDEM_SFU_UNREACHABLE_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
	})
	.refine((env) => env.TANDEM_SFU_RTC_MIN_PORT < env.TANDEM_SFU_RTC_MAX_PORT, {
		message: 'TANDEM_SFU_RTC_MIN_PORT must be below TANDEM_SFU_RTC_MAX_PORT',
	})
	.refine((env) => env.TANDEM_SFU_RECORDING_MIN_PORT + 1 < env.TANDEM_SFU_RECORDING_MAX_PORT, {
		message: 'TANDEM_SFU_RECORDING_MIN_PORT must be below TANDEM_SFU_RECORDING_MAX_PORT',
	});

/** Reads the configuration; throws one readable error listing every bad variable. */
export function readSfuConfig(env: NodeJS.ProcessEnv = process.env): SfuConfig {
	const parsed = sfuEnvSchema.safeParse(emptyAsUnset(env));
	if (!parsed.success) {
		const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'env'}: ${issue.message}`);
		throw new Error(`invalid SFU configuration:\n  ${problems.join('\n  ')}`);
	}
	const e = parsed.data;
	return {
		host: e.TANDEM_SFU_HOST,
		port: e.TANDEM_SFU_PORT,
		secret: e.TANDEM_SFU_SECRET,
		listenIp: e.TANDEM_SFU_LISTEN_IP,
		announcedIp: e.TANDEM_SFU_ANNOUNCED_IP,
		rtcMinPort: e.TANDEM_SFU_RTC_MIN_PORT,
		rtcMaxPort: e.TANDEM_SFU_RTC_MAX_PORT,
		recordingMinPort: e.TANDEM_SFU_RECORDING_MIN_PORT,
		recordingMaxPort: e.TANDEM_SFU_RECORDING_MAX_PORT,
		workers: e.TANDEM_SFU_WORKERS,
		recordingsDir: path.resolve(e.TANDEM_RECORDINGS_DIR ?? path.join(e.TANDEM_DATA_DIR ?? 'data', 'recordings')),
		ffmpegPath: e.TANDEM_FFMPEG,
		unreachableAfterMs: e.TANDEM_SFU_UNREACHABLE_MS,
	};
}

/** `FOO=` in a shell or .env file means "not set", not "the empty string". */
function emptyAsUnset(env: NodeJS.ProcessEnv): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') out[key] = value;
	return out;
}
