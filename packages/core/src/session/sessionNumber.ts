// Session numbers: the 9 digits a customer types or a rep reads out (SPEC §2).
// Random, never sequential, no leading zero; shown grouped as `123 456 789`.

export type SessionNumber = string & { readonly __brand: 'SessionNumber' };

const LOWEST = 100_000_000;
const SPAN = 900_000_000;

/** A fresh random number; uniqueness among live sessions is the database's job (a partial unique index). */
export function generateSessionNumber(random: (n: number) => number = cryptoRandomBelow): SessionNumber {
	return String(LOWEST + random(SPAN)) as SessionNumber;
}

/** `123456789` → `123 456 789`. */
export function formatSessionNumber(number: string): string {
	return number.replace(/^(\d{3})(\d{3})(\d{3})$/, '$1 $2 $3');
}

/** What a person typed (`123 456 789`, `123-456-789`) → the number, or null when it cannot be one. */
export function parseSessionNumber(typed: string): SessionNumber | null {
	const digits = typed.trim().replace(/[\s\-\u2010-\u2015.]/g, '');
	return /^[1-9]\d{8}$/.test(digits) ? (digits as SessionNumber) : null;
}

function cryptoRandomBelow(n: number): number {
	// Rejection sampling over 32 bits keeps the distribution uniform.
	const limit = Math.floor(0x1_0000_0000 / n) * n;
	const buf = new Uint32Array(1);
	for (;;) {
		crypto.getRandomValues(buf);
		const v = buf[0]!;
		if (v < limit) return v % n;
	}
}
