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
	| 'forbidden'
	| 'mailNotSent'
	| 'tooManyWrongNumbers'
	| 'repNotFound'
	| 'lastAdmin'
	| 'invalidRoles'
	| 'mediaUnavailable'
	| 'mediaRefused'
	| 'recordingNotFound'
	| 'recordingInProgress'
	/** More calls than a person makes (media: the rate limit per participant). */
	| 'tooManyRequests'
	// WebACD (SPEC §7, §8)
	| 'notAnAgent'
	| 'queueNotFound'
	| 'queueExists'
	| 'queueNameTaken'
	/** The things a command touches kept changing under it: nothing was done. */
	| 'tryAgain'
	// File transfer (SPEC §9), beyond what the session rules refuse
	/** A download of a file whose bytes have not all arrived. */
	| 'fileNotComplete'
	/** A recipient downloads before accepting the offer. */
	| 'fileNotAccepted'
	/** A resumed upload at an offset that is not where the server's copy ends (tus: 409). */
	| 'uploadOffsetMismatch'
	/** The bytes could not be stored (the disk), or the upload request broke off. */
	| 'uploadFailed'
	// Reports (SPEC §10)
	/** A report of a session the rep did not take part in. */
	| 'reportNotYours'
	| 'reportNotFound'
	// Outbound webhooks (issue 11)
	/** Not a full web address, or longer than 2,000 characters. */
	| 'webhookUrlInvalid'
	/** Not http:// or https:// (ftp:, javascript:, …). */
	| 'webhookUrlNotHttp'
	/** A user name or password in the address. */
	| 'webhookUrlCredentials'
	/** Its host name resolves to no address. */
	| 'webhookHostUnknown'
	/** A private, loopback, link-local or reserved address (private ones unless the site allows them). */
	| 'webhookPrivateAddress'
	/** The server itself (its public origin, where it listens, its media server). */
	| 'webhookOwnServer'
	| 'webhookNotFound'
	/** Retry of a webhook that has not failed. */
	| 'webhookNotFailed';

/** Values the message of a code takes (`{seconds}` in "try again in {seconds} s"). */
export type ErrorParams = Record<string, string | number>;

export class TandemError extends Error {
	readonly code: ErrorCode;
	readonly params: ErrorParams | undefined;

	constructor(code: ErrorCode, message?: string, params?: ErrorParams) {
		super(message ?? code);
		this.code = code;
		this.params = params;
		this.name = 'TandemError';
	}
}

export const refuse = (code: ErrorCode, message?: string): never => {
	throw new TandemError(code, message);
};
