// Moving through a list of controls from the keyboard (WAI-ARIA's menu and tab patterns): the arrows along
// the list's direction step and wrap, Home and End go to its ends. One rule for the console's menus and its
// session tabs.

export type Orientation = 'vertical' | 'horizontal';

/** Where `key` moves the focus from item `at` of `count`, or null when it is not one of the list's keys. */
export function rovingIndex(key: string, at: number, count: number, orientation: Orientation = 'vertical'): number | null {
	if (count === 0) return null;
	const [back, forth] = orientation === 'vertical' ? ['ArrowUp', 'ArrowDown'] : ['ArrowLeft', 'ArrowRight'];
	if (key === back) return (at - 1 + count) % count;
	if (key === forth) return (at + 1) % count;
	if (key === 'Home') return 0;
	if (key === 'End') return count - 1;
	return null;
}
