// The pure parts of recordings: who had control when, the export's tiles and ffmpeg graph, progress.
import { describe, expect, it } from 'vitest';
import type { Participant, SessionEvent } from '../session/model.ts';
import { controlTimeline } from './controlTimeline.ts';
import { exportArguments, progressFrom, videoTiles } from './exportJob.ts';
import type { RecordingManifest, RecordingTrack } from './manifest.ts';

const T = 1_700_000_000_000;
const rep = (id: string, name: string, role: Participant['role']): Participant => ({
	id,
	name,
	role,
	repId: `rep-${id}`,
	joinedAt: T,
	voiceCapable: true,
});

describe('controlTimeline', () => {
	const events: SessionEvent[] = [
		{ type: 'session.started', at: T, sessionId: 's', number: '123456789', controller: rep('a', 'Ana', 'controller') },
		{ type: 'participant.joined', at: T + 1000, participant: rep('j', 'Jelena', 'assistant') },
		{ type: 'control.transferred', at: T + 5000, from: 'a', to: 'j', fromLeaves: true },
		{ type: 'participant.left', at: T + 5000, participantId: 'a', reason: 'handedOver' },
		{ type: 'participant.left', at: T + 8000, participantId: 'j', reason: 'left' },
		{ type: 'session.ended', at: T + 9000, by: null, reason: 'ended' },
	];

	it('clips the controllers to the recording, in seconds from its start', () => {
		expect(controlTimeline(events, T + 2000, T + 7000)).toEqual([
			{ participantId: 'a', name: 'Ana', start: 0, end: 3 },
			{ participantId: 'j', name: 'Jelena', start: 3, end: 5 },
		]);
	});

	it('leaves out the time nobody controls (the controller left) and after the end', () => {
		expect(controlTimeline(events, T + 6000, T + 12_000)).toEqual([{ participantId: 'j', name: 'Jelena', start: 0, end: 2 }]);
		expect(controlTimeline(events, T + 8500, T + 9500)).toEqual([]);
	});
});

const track = (file: string, participantId: string, source: RecordingTrack['source'], start: number, end: number): RecordingTrack => ({
	file,
	producerId: file,
	participantId,
	source,
	kind: source === 'microphone' ? 'audio' : 'video',
	codec: source === 'microphone' ? 'audio/opus' : 'video/VP8',
	startedAt: T + start,
	endedAt: T + end,
	status: 'completed',
});

describe('export', () => {
	const tracks = [
		track('cam.webm', 'b', 'camera', 0, 4000),
		track('screen1.webm', 'a', 'screen', 0, 2000),
		track('screen2.webm', 'a', 'screen', 3000, 6000),
		track('voice.webm', 'b', 'microphone', 1500, 6000),
	];
	const manifest: RecordingManifest = { recordingId: 'r', sessionId: 's', startedAt: T, endedAt: T + 6000, status: 'completed', tracks };

	it('gives a screen shared twice one tile, screens first', () => {
		expect(videoTiles(manifest, tracks).map((tile) => tile.map((t) => t.file))).toEqual([['screen1.webm', 'screen2.webm'], ['cam.webm']]);
	});

	it('places each input at its offset, mixes the voice over silence, and lasts the recording', () => {
		const args = exportArguments(manifest, tracks, '/rec', '/rec/out.webm');
		const graph = args[args.indexOf('-filter_complex') + 1]!;
		expect(args.filter((a, i) => args[i - 1] === '-i')).toEqual([
			'/rec/screen1.webm',
			'/rec/screen2.webm',
			'/rec/cam.webm',
			'/rec/voice.webm',
		]);
		expect(graph).toContain('[1:v:0]setpts=PTS-STARTPTS+3.000/TB');
		expect(graph).toContain('adelay=1500:all=1');
		expect(graph).toContain('amix=inputs=2:duration=first');
		expect(graph).toContain('color=c=black:s=1280x720:r=15:d=6.000');
		expect(args.slice(args.indexOf('-t'), args.indexOf('-t') + 2)).toEqual(['-t', '6.000']);
	});

	it('reads -progress lines against the duration', () => {
		expect(progressFrom('out_time_us=1500000', 6)).toBe(0.25);
		expect(progressFrom('out_time_ms=9000000', 6)).toBe(1);
		expect(progressFrom('frame=12', 6)).toBeNull();
	});
});
