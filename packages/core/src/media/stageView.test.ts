import { describe, expect, it } from 'vitest';
import { ACTUAL_SIZE, canZoom, FIT, renderedSize, stageKey, zoom, zoomPercent } from './stageView.ts';

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
