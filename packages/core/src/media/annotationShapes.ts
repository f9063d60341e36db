// The shapes of remote pointer and annotation (SPEC §9) as pages draw them: a place on the shared surface
// from a mouse or a finger, a freehand stroke kept within what the rules accept, and the marks in pixels
// of whatever size each viewer shows the share at. The rules on marks are the session's (decide.ts).

import { MARK_POINTS_MAX, type MarkPoint } from '../session/model.ts';
import { POINTER_EVENT, type PointerDetail } from './pointerEvent.ts';
import { POINTER_IDLE_MS } from './pointerSender.ts';
import type { Size } from './stageView.ts';

const round = (n: number) => Math.round(Math.min(1, Math.max(0, n)) * 10_000) / 10_000;

/** Where on the shared surface (0–1 across and down) a point of the page falls, clamped to its edges. */
export function surfacePoint(
	clientX: number,
	clientY: number,
	box: { left: number; top: number; width: number; height: number },
): MarkPoint {
	return [round((clientX - box.left) / (box.width || 1)), round((clientY - box.top) / (box.height || 1))];
}

/**
 * A freehand stroke with one more point: a point too near the last is skipped (unless it is where the pen
 * lifted: `end`), and a stroke at the limit is thinned.
 */
export function extendStroke(stroke: readonly MarkPoint[], point: MarkPoint, end = false, minStep = 0.003): MarkPoint[] {
	const last = stroke.at(-1);
	const near = last && Math.hypot(point[0] - last[0], point[1] - last[1]) < (end ? 1e-9 : minStep);
	if (near) return [...stroke];
	const next = [...stroke, point];
	// Every other point goes (the first and the last stay): the line keeps its shape at half the points.
	return next.length <= MARK_POINTS_MAX ? next : next.filter((_, i) => i % 2 === 0 || i === next.length - 1);
}

/** A mark's points in pixels of a view of that size, as SVG `points`. */
export function pixelPoints(points: readonly MarkPoint[], size: Size): string {
	return points.map(([x, y]) => `${Math.round(x * size.width * 10) / 10},${Math.round(y * size.height * 10) / 10}`).join(' ');
}

/** An arrow's head at its tip, in pixels: a triangle `length` long, pointing from `from` to `to`. */
export function arrowHead(from: MarkPoint, to: MarkPoint, size: Size, length = 16): string {
	const [x1, y1, x2, y2] = [from[0] * size.width, from[1] * size.height, to[0] * size.width, to[1] * size.height];
	const angle = Math.atan2(y2 - y1, x2 - x1);
	const wing = (side: number) => [x2 - length * Math.cos(angle + side * 0.45), y2 - length * Math.sin(angle + side * 0.45)] as const;
	const [a, b] = [wing(1), wing(-1)];
	const at = (p: readonly [number, number]) => `${Math.round(p[0] * 10) / 10},${Math.round(p[1] * 10) / 10}`;
	return [at([x2, y2]), at(a), at(b)].join(' ');
}

/** A remote pointer as a page shows it: whose, and where on the shared surface. */
export interface RemotePointer {
	name: string;
	x: number;
	y: number;
}

/**
 * The remote pointers over one shared screen, as the feed tells of them (`POINTER_EVENT`): `onChange` gets
 * them each time one moves, appears or goes. Returns what stops following.
 */
export function followPointers(sessionId: string, share: string, onChange: (pointers: RemotePointer[]) => void): () => void {
	const pointers = new Map<string, RemotePointer & { timer: ReturnType<typeof setTimeout> }>();
	const tell = () => onChange([...pointers.values()].map(({ name, x, y }) => ({ name, x, y })));
	const forget = (name: string) => {
		clearTimeout(pointers.get(name)?.timer);
		pointers.delete(name);
	};
	const onPointer = (event: Event) => {
		const p = (event as CustomEvent<PointerDetail>).detail;
		if (p.sessionId !== sessionId || p.share !== share) return;
		forget(p.name);
		if (p.x !== null && p.y !== null)
			pointers.set(p.name, {
				name: p.name,
				x: p.x,
				y: p.y,
				timer: setTimeout(() => {
					forget(p.name);
					tell();
				}, POINTER_IDLE_MS),
			});
		tell();
	};
	addEventListener(POINTER_EVENT, onPointer);
	return () => {
		removeEventListener(POINTER_EVENT, onPointer);
		for (const name of [...pointers.keys()]) forget(name);
	};
}
