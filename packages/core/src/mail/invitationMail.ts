// The words of an invitation (SPEC §3): subject and body naming the rep, the grouped session number and
// the link, in English or Serbian. The texts live in the apps' message catalogs (messages/*.json), so
// translators find every word of Tandem in one place.

import { readFileSync } from 'node:fs';
import type { InvitedRole } from '../session/model.ts';

export type Language = 'en' | 'sr';
export const languages: readonly Language[] = ['en', 'sr'];

type Catalog = Record<string, unknown>;
const catalogs = new Map<Language, Catalog>();

function catalog(language: Language): Catalog {
	let found = catalogs.get(language);
	if (!found) {
		found = JSON.parse(readFileSync(new URL(`../../../../messages/${language}.json`, import.meta.url), 'utf8')) as Catalog;
		catalogs.set(language, found);
	}
	return found;
}

/** One message of the catalog with its `{name}` parameters filled in. */
export function message(language: Language, key: string, params: Record<string, string>): string {
	const template = catalog(language)[key] ?? catalog('en')[key];
	if (typeof template !== 'string') throw new Error(`message ${key} is missing`);
	return template.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}

export interface InvitationWords {
	role: InvitedRole;
	language: Language;
	repName: string;
	/** Grouped: 123 456 789. */
	number: string;
	link: string;
	/** The support site's address, for joining by number. */
	site: string;
	expiresAt: number;
}

export function invitationMail(w: InvitationWords): { subject: string; body: string } {
	const params = {
		rep: w.repName,
		number: w.number,
		link: w.link,
		site: w.site,
		expires: formatTime(w.expiresAt, w.language),
	};
	return {
		subject: message(w.language, `mail_invite_${w.role}_subject`, params),
		body: message(w.language, `mail_invite_${w.role}_body`, params),
	};
}

/** A `mailto:` that opens a new message in the rep's own e-mail program (RFC 6068). */
export function mailtoHref(recipient: string | null, subject: string, body: string): string {
	const to = recipient ? encodeURIComponent(recipient).replace(/%40/g, '@') : '';
	const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');
	return `mailto:${to}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(crlf(body))}`;
}

function formatTime(at: number, language: Language): string {
	return new Intl.DateTimeFormat(language === 'sr' ? 'sr-Latn-RS' : 'en-GB', {
		year: 'numeric',
		month: 'long',
		day: 'numeric',
		hour: '2-digit',
		minute: '2-digit',
		timeZoneName: 'short',
	}).format(at);
}
