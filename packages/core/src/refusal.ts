// A refused command carries a code; the apps show the code's message in the user's language.

import type { RefusalCode } from './session/model.ts';

export type ErrorCode =
	| RefusalCode
	| 'invalidInput'
	| 'invalidSessionNumber'
	| 'badCredentials'
	| 'accountLocked'
	| 'accountDisabled'
	| 'setupDone'
	| 'emailTaken'
	| 'forbidden';

export class TandemError extends Error {
	readonly code: ErrorCode;

	constructor(code: ErrorCode, message?: string) {
		super(message ?? code);
		this.code = code;
		this.name = 'TandemError';
	}
}

export const refuse = (code: ErrorCode, message?: string): never => {
	throw new TandemError(code, message);
};
