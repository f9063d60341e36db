// Every message key exists in every language, with a non-empty text.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const settings = JSON.parse(readFileSync(new URL('../project.inlang/settings.json', import.meta.url), 'utf8')) as {
	baseLocale: string;
	locales: string[];
};

type Messages = Record<string, unknown>;

function load(locale: string): Messages {
	const all = JSON.parse(readFileSync(new URL(`./${locale}.json`, import.meta.url), 'utf8')) as Messages;
	delete all.$schema;
	return all;
}

const byLocale = new Map(settings.locales.map((locale) => [locale, load(locale)]));
const allKeys = [...new Set([...byLocale.values()].flatMap((messages) => Object.keys(messages)))].sort();

describe('messages', () => {
	it('lists the base locale among the locales', () => {
		expect(settings.locales).toContain(settings.baseLocale);
	});

	it('uses snake_case keys', () => {
		expect(allKeys.filter((key) => !/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(key))).toEqual([]);
	});

	for (const [locale, messages] of byLocale) {
		it(`${locale}: has every key, none empty`, () => {
			const missing = allKeys.filter((key) => !(key in messages));
			const empty = allKeys.filter(
				(key) => key in messages && (typeof messages[key] !== 'string' || (messages[key] as string).trim() === ''),
			);
			expect({ missing, empty }).toEqual({ missing: [], empty: [] });
		});
	}
});
