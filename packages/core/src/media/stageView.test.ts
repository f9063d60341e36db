import { describe, expect, it } from 'vitest';
import {
	ACTUAL_SIZE,
	arrowHead,
	canZoom,
	extendStroke,
	FIT,
	pixelPoints,
	renderedSize,
	stageKey,
	surfacePoint,
	zoom,
	zoomPercent,
} from './stageView.ts';

const screen = { width: 1920, height: 1080 };
const stage = { width: 960, height: 720 };

describe('the stage view', () => {
	it('fits a 1920×1080 share into a 960×720 stage at half size, whole', () => {
		expect(renderedSize(FIT, screen, stage, 1)).toEqual({ width: 960, height: 540 });
		expect(zoomPercent(FIT, screen, stage, 1)).toBe(50);
	});

	it('draws actual size as one shared pixel per device pixel, whatever the display’s pixel ratio', () => {
		expect(renderedSize(ACTUAL_SIZE, screen, stage, 1)).toEqual(screen);
		expect(renderedSize(ACTUAL_SIZE, screen, stage, 2)).toEqual({ width: 960, height: 540 });
		// On a 2× display the fitted picture is the same on the page but shows more shared pixels per CSS pixel.
		expect(zoomPercent(FIT, screen, stage, 2)).toBe(100);
	});

	it('zooms from Fit to the next step past the fitted scale, and stops at the ends', () => {
		expect(zoom(FIT, 'in', screen, stage, 1)).toEqual({ mode: 'scaled', scale: 0.67 });
		expect(zoom(FIT, 'out', screen, stage, 1)).toEqual({ mode: 'scaled', scale: 0.33 });
		expect(zoom(ACTUAL_SIZE, 'in', screen, stage, 1)).toEqual({ mode: 'scaled', scale: 1.25 });
		const most = { mode: 'scaled', scale: 4 } as const;
		expect(canZoom(most, 'in', screen, stage, 1)).toBe(false);
		expect(canZoom(most, 'out', screen, stage, 1)).toBe(true);
	});

	it('knows its keys and nothing else', () => {
		expect(['+', '=', '-', '0', '1', 'f', 'x', 'ArrowLeft'].map(stageKey)).toEqual([
			'zoomIn',
			'zoomIn',
			'zoomOut',
			'fit',
			'actualSize',
			'fullScreen',
			null,
			null,
		]);
	});
});

describe('the shapes of annotation', () => {
	it('places a click on the shared surface whatever the size of the view, clamped to its edges', () => {
		const box = { left: 100, top: 50, width: 800, height: 450 };
		expect(surfacePoint(300, 275, box)).toEqual([0.25, 0.5]);
		expect(surfacePoint(50, 600, box)).toEqual([0, 1]);
		// The same place on a phone-sized view of the same share.
		expect(pixelPoints([[0.25, 0.5]], { width: 356, height: 200 })).toBe('89,100');
	});

	it('keeps a long freehand stroke within the rules’ 400 points, its ends in place', () => {
		let stroke: [number, number][] = [];
		for (let i = 0; i <= 1000; i++) stroke = extendStroke(stroke, [i / 1000, 0.5], i === 1000);
		expect(stroke.length).toBeLessThanOrEqual(400);
		expect(stroke[0]).toEqual([0, 0.5]);
		expect(stroke.at(-1)).toEqual([1, 0.5]);
		expect(extendStroke([[0.5, 0.5]], [0.501, 0.5])).toHaveLength(1);
	});

	it('points an arrow’s head along the arrow', () => {
		expect(arrowHead([0, 0.5], [1, 0.5], { width: 100, height: 100 }, 10)).toBe('100,50 91,45.7 91,54.3');
	});
});
