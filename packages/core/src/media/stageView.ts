// How a shared screen sits on the stage (UI.md, "The stage"): fitted into it whole, or at a scale where
// one pixel of the shared screen is one pixel of the viewer's display ("Actual size", so small text stays
// sharp), zoomed in steps from there, and panned when it is larger than the stage. The console and the
// customer page draw it their own way; the arithmetic and the keys are one.

/** Fit: the whole picture in the stage. Scaled: `scale` device pixels per pixel of the shared screen. */
export type StageView = { readonly mode: 'fit' } | { readonly mode: 'scaled'; readonly scale: number };

export const FIT: StageView = { mode: 'fit' };
export const ACTUAL_SIZE: StageView = { mode: 'scaled', scale: 1 };

/** The zoom steps, as device pixels per shared pixel (1 is actual size). */
export const ZOOM_STEPS: readonly number[] = [0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1, 1.25, 1.5, 2, 3, 4];

export interface Size {
	readonly width: number;
	readonly height: number;
}

/** The scale that fits the picture whole into the stage (device pixels per shared pixel). */
export function fitScale(picture: Size, stage: Size, devicePixelRatio: number): number {
	if (picture.width <= 0 || picture.height <= 0) return 1;
	return (Math.min(stage.width / picture.width, stage.height / picture.height) || 0) * devicePixelRatio;
}

/** The scale a view draws at, for that picture on that stage. */
export function scaleOf(view: StageView, picture: Size, stage: Size, devicePixelRatio: number): number {
	return view.mode === 'fit' ? fitScale(picture, stage, devicePixelRatio) : view.scale;
}

/** The picture's size on the page, in CSS pixels. */
export function renderedSize(view: StageView, picture: Size, stage: Size, devicePixelRatio: number): Size {
	const scale = scaleOf(view, picture, stage, devicePixelRatio) / devicePixelRatio;
	return { width: Math.round(picture.width * scale), height: Math.round(picture.height * scale) };
}

/** One step in (or out) from where the view is now; from Fit the step is the next one past the fitted scale. */
export function zoom(view: StageView, direction: 'in' | 'out', picture: Size, stage: Size, devicePixelRatio: number): StageView {
	const now = scaleOf(view, picture, stage, devicePixelRatio);
	const next = direction === 'in' ? ZOOM_STEPS.find((s) => s > now + 1e-6) : [...ZOOM_STEPS].reverse().find((s) => s < now - 1e-6);
	return next === undefined ? view : { mode: 'scaled', scale: next };
}

/** Whether another step that way exists. */
export function canZoom(view: StageView, direction: 'in' | 'out', picture: Size, stage: Size, devicePixelRatio: number): boolean {
	return zoom(view, direction, picture, stage, devicePixelRatio) !== view;
}

/** The zoom as people read it: "100%" is actual size. */
export function zoomPercent(view: StageView, picture: Size, stage: Size, devicePixelRatio: number): number {
	return Math.round(scaleOf(view, picture, stage, devicePixelRatio) * 100);
}

export type StageAction = 'zoomIn' | 'zoomOut' | 'fit' | 'actualSize' | 'fullScreen';

/** The stage's keys (when the shared view has focus): + and − zoom, 0 fits, 1 is actual size, F full screen. */
export function stageKey(key: string): StageAction | null {
	switch (key) {
		case '+':
		case '=':
			return 'zoomIn';
		case '-':
		case '_':
			return 'zoomOut';
		case '0':
			return 'fit';
		case '1':
			return 'actualSize';
		case 'f':
		case 'F':
			return 'fullScreen';
		default:
			return null;
	}
}

/** What a stage's page tells its view: the room it has, the picture's own size, whether it is full screen. */
export interface StageMeasure {
	readonly stage: Size;
	readonly picture: Size;
	readonly full: boolean;
}

/**
 * The page's side of a shared screen's view, the same on the console and the customer page: it measures the
 * stage and the picture as they change, follows full screen, and pans a picture larger than the stage by
 * dragging (as in a map). Returns what undoes it.
 */
export function watchStage(
	root: HTMLElement,
	viewport: HTMLElement,
	video: HTMLVideoElement,
	onMeasure: (m: StageMeasure) => void,
): () => void {
	const report = () =>
		onMeasure({
			stage: { width: viewport.clientWidth, height: viewport.clientHeight },
			picture: { width: video.videoWidth, height: video.videoHeight },
			full: document.fullscreenElement === root,
		});
	const observer = new ResizeObserver(report);
	observer.observe(viewport);
	video.addEventListener('loadedmetadata', report);
	video.addEventListener('resize', report);
	document.addEventListener('fullscreenchange', report);

	let drag: { x: number; y: number; left: number; top: number } | null = null;
	const down = (event: PointerEvent) => {
		// A pen in hand (annotation) draws; it does not pan.
		if (event.button !== 0 || (event.target as Element | null)?.closest?.('[data-pen]')) return;
		if (viewport.scrollWidth <= viewport.clientWidth && viewport.scrollHeight <= viewport.clientHeight) return;
		drag = { x: event.clientX, y: event.clientY, left: viewport.scrollLeft, top: viewport.scrollTop };
		viewport.setPointerCapture(event.pointerId);
	};
	const move = (event: PointerEvent) => {
		if (!drag) return;
		viewport.scrollLeft = drag.left - (event.clientX - drag.x);
		viewport.scrollTop = drag.top - (event.clientY - drag.y);
	};
	const up = () => (drag = null);
	viewport.addEventListener('pointerdown', down);
	viewport.addEventListener('pointermove', move);
	viewport.addEventListener('pointerup', up);
	viewport.addEventListener('pointercancel', up);
	report();
	return () => {
		observer.disconnect();
		video.removeEventListener('loadedmetadata', report);
		video.removeEventListener('resize', report);
		document.removeEventListener('fullscreenchange', report);
		viewport.removeEventListener('pointerdown', down);
		viewport.removeEventListener('pointermove', move);
		viewport.removeEventListener('pointerup', up);
		viewport.removeEventListener('pointercancel', up);
	};
}

/** Into full screen, or out of it; the view keeps the keyboard's focus either way. */
export async function toggleFullScreen(root: HTMLElement, focus: HTMLElement): Promise<void> {
	if (document.fullscreenElement === root) await document.exitFullscreen().catch(() => undefined);
	else await root.requestFullscreen().catch(() => undefined);
	focus.focus();
}

/** A key pressed on the view, as an action (none with Ctrl, Alt or Meta: those are the browser's). */
export function stageKeyOf(event: KeyboardEvent): StageAction | null {
	return event.ctrlKey || event.metaKey || event.altKey ? null : stageKey(event.key);
}

export { arrowHead, extendStroke, followPointers, pixelPoints, surfacePoint, type RemotePointer } from './annotationShapes.ts';
export type { MarkPoint } from '../session/model.ts';
export { pointerSender } from './pointerSender.ts';
