// The authorisation matrix (SPEC §1, §11): every procedure of the API, called by every kind of caller —
// nobody, a customer of the session, a customer of another session, its controlling rep, its assistant,
// another rep, an administrator who is not in it, a disabled rep's cookie and a signed-out rep's cookie.
// Each cell runs in a fresh scene and says who may: a caller who may is never refused for who they are
// (they may still be refused for what the session is, e.g. alreadyInSession); a caller who may not is
// refused with an authorisation code and changes nothing. A procedure added to the router without a row
// here fails the test, so the matrix cannot fall behind the API.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, ne } from 'drizzle-orm';
import { supportSessions } from '@tandem/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingManifest } from '../src/recordings/manifest.ts';
import { FakeClock } from '../src/time/clock.ts';
import { appRouter } from '../src/trpc/root.ts';
import { TandemError } from '../src/refusal.ts';
import { REP_COOKIE } from '../src/trpc/context.ts';
import { Browser, fingerprint, refusalOf, world, type World } from './harness.ts';

const actors = [
	'anonymous',
	'customer',
	'otherCustomer',
	'controller',
	'assistant',
	'outsider',
	'admin',
	'disabledRep',
	'signedOutRep',
] as const;
type Actor = (typeof actors)[number];

/** Codes that say "not you": who the caller is, not what the session is. */
const AUTHORISATION = new Set([
	'notSignedIn',
	'forbidden',
	'notInSession',
	'notController',
	'notARep',
	'notACustomer',
	'notAnAgent',
	'notYourOffer',
	'assistantsCannotDoThat',
	'notFileSender',
	'notFileRecipient',
	'fileNotAccepted',
	'reportNotYours',
	'UNAUTHORIZED',
	'FORBIDDEN',
]);

const signedInReps: Actor[] = ['controller', 'assistant', 'outsider', 'admin'];
const inSession: Actor[] = ['customer', 'controller', 'assistant'];
const everyone: Actor[] = [...actors];

/** 'ok', or the code the call was refused with (from the API or, for the file route's check, the service). */
async function outcomeOf(call: Promise<unknown>): Promise<string> {
	try {
		await call;
		return 'ok';
	} catch (error) {
		if (error instanceof TandemError) return error.code;
		return refusalOf(Promise.reject(error));
	}
}

/** A feed item as the caller gets it: tracked ([id, item, mark]) or bare. */
function snapshotOf(value: unknown): { kind: string; sessions?: { id: string }[] } {
	return (Array.isArray(value) ? value[1] : value) as { kind: string; sessions?: { id: string }[] };
}

/** One fresh session S: its controller, a customer, an assistant, open invitations and a recording in progress. */
interface Scene {
	sessionId: string;
	number: string;
	customerId: string;
	assistantId: string;
	customerInvite: string;
	repInvite: string;
	invitationId: string;
	recordingId: string;
	/** A file the controller offered to the customer (not yet uploaded). */
	fileId: string;
}

type Api = Awaited<ReturnType<Browser['api']>>;
interface Cell {
	/** Who may (everyone else must be refused for who they are). */
	may: Actor[];
	call: (api: Api, s: Scene) => Promise<unknown>;
}

const tokenOf = (link: string) => new URL(link).searchParams.get('invite')!;

/** Every procedure, and how each is called in the scene. One procedure may have several rows. */
const matrix: Record<string, Record<string, Cell>> = {
	'auth.status': { '': { may: everyone, call: (a) => a.auth.status() } },
	'auth.createFirstAdmin': {
		// Public, and refused to everyone alike once the site is set up (setupDone, not who they are).
		'': {
			may: everyone,
			call: (a) => a.auth.createFirstAdmin({ name: 'Mallory', email: 'mallory@example.com', password: 'mallory-password' }),
		},
	},
	'auth.signIn': { '': { may: everyone, call: (a) => a.auth.signIn({ email: 'nobody@example.com', password: 'wrong-password' }) } },
	'auth.goodbye': { '': { may: signedInReps, call: (a) => a.auth.goodbye({ consoleId: 'console-matrix' }) } },
	'auth.heartbeat': { '': { may: signedInReps, call: (a) => a.auth.heartbeat({ consoleId: 'console-matrix' }) } },
	'auth.setLanguage': { '': { may: signedInReps, call: (a) => a.auth.setLanguage({ language: 'en' }) } },
	'admin.reps': { '': { may: ['admin'], call: (a) => a.admin.reps() } },
	'admin.createRep': {
		'': {
			may: ['admin'],
			call: (a) => a.admin.createRep({ name: 'Made', email: `made-${++made}@example.com`, password: 'made-password' }),
		},
	},
	'admin.updateRep': { '': { may: ['admin'], call: (a) => a.admin.updateRep({ id: targetRepId, name: `Target ${++made}` }) } },
	'admin.settings': { '': { may: ['admin'], call: (a) => a.admin.settings() } },
	'admin.updateSettings': { '': { may: ['admin'], call: (a) => a.admin.updateSettings({ invitationExpiryHours: 24 + (++made % 2) }) } },
	'admin.queues': { '': { may: ['admin'], call: (a) => a.admin.queues() } },
	'admin.createQueue': {
		'': {
			may: ['admin'],
			call: (a) => a.admin.createQueue({ name: `Queue ${++made}`, members: [], routing: 'mostIdle', openToCustomers: true }),
		},
	},
	'admin.updateQueue': { '': { may: ['admin'], call: (a) => a.admin.updateQueue({ id: queueId, name: `Renamed ${++made}` }) } },
	'admin.removeQueue': { '': { may: ['admin'], call: (a) => a.admin.removeQueue({ id: spareQueue() }) } },
	// Any signed-in rep may ask (null for one who is no agent); only an agent may choose a state.
	'acd.me': { '': { may: signedInReps, call: (a) => a.acd.me() } },
	'acd.setState': { '': { may: ['admin'], call: (a) => a.acd.setState({ state: ++made % 2 ? 'busy' : 'available' }) } },
	// Get help is for anyone; offers are an agent's (the scene's session has none out: refused for what it is).
	'acd.openQueues': { '': { may: everyone, call: (a) => a.acd.openQueues() } },
	'acd.requestHelp': { '': { may: everyone, call: (a) => a.acd.requestHelp({ name: 'Asker', problem: 'It does not print', queueId }) } },
	'acd.offers': { '': { may: signedInReps, call: (a) => a.acd.offers() } },
	'acd.accept': {
		'': { may: ['admin'], call: (a, s) => a.acd.accept({ sessionId: s.sessionId, offerId: '00000000-0000-4000-8000-000000000000' }) },
	},
	// Only an agent sees where a transfer may go; the scene's controller is no agent: nobody may transfer it.
	'acd.transferTargets': { '': { may: ['admin'], call: (a) => a.acd.transferTargets() } },
	// The supervisor view's feed: administrators only; its first picture read, then closed.
	'supervisor.watch': {
		'': {
			may: ['admin'],
			call: async (a) => {
				const iterator = (await a.supervisor.watch())[Symbol.asyncIterator]();
				await iterator.next();
				await iterator.return?.();
			},
		},
	},
	// The audit (SPEC §10): administrators only.
	'audit.status': { '': { may: ['admin'], call: (a) => a.audit.status() } },
	'audit.verify': { '': { may: ['admin'], call: (a) => a.audit.verify() } },
	'acd.transfer': { '': { may: [], call: (a, s) => a.acd.transfer({ sessionId: s.sessionId, queueId, message: 'Over to you' }) } },
	'acd.decline': {
		'': { may: signedInReps, call: (a, s) => a.acd.decline({ sessionId: s.sessionId, offerId: '00000000-0000-4000-8000-000000000000' }) },
	},
	'session.start': { '': { may: signedInReps, call: (a) => a.session.start() } },
	'session.join': { '': { may: everyone, call: (a, s) => a.session.join({ number: s.number, name: 'Joiner' }) } },
	'session.assist': { '': { may: signedInReps, call: (a, s) => a.session.assist({ number: s.number }) } },
	'session.joinByInvite': { '': { may: everyone, call: (a, s) => a.session.joinByInvite({ token: s.customerInvite, name: 'Invited' }) } },
	'session.assistByInvite': { '': { may: signedInReps, call: (a, s) => a.session.assistByInvite({ token: s.repInvite }) } },
	'session.focusCustomer': {
		'': { may: ['controller'], call: (a, s) => a.session.focusCustomer({ sessionId: s.sessionId, participantId: s.customerId }) },
	},
	'session.transferControl': {
		'': { may: ['controller'], call: (a, s) => a.session.transferControl({ sessionId: s.sessionId, to: s.assistantId }) },
	},
	'session.removeParticipant': {
		customer: { may: ['controller'], call: (a, s) => a.session.removeParticipant({ sessionId: s.sessionId, participantId: s.customerId }) },
		assistant: {
			may: ['controller'],
			call: (a, s) => a.session.removeParticipant({ sessionId: s.sessionId, participantId: s.assistantId }),
		},
	},
	// The controlling rep may not simply leave either (controllerCannotLeave: what the session is).
	'session.leave': { '': { may: inSession, call: (a, s) => a.session.leave({ sessionId: s.sessionId }) } },
	'session.end': { '': { may: ['controller'], call: (a, s) => a.session.end({ sessionId: s.sessionId }) } },
	// Everyone in the session chats (SPEC §9).
	'chat.send': {
		'': { may: inSession, call: (a, s) => a.chat.send({ sessionId: s.sessionId, messageId: crypto.randomUUID(), text: 'Hello' }) },
	},
	// The controlling rep, over a screen being shared (none in this scene: refused for that, not for who asks).
	'annotation.point': {
		'': { may: ['controller'], call: (a, s) => a.annotation.point({ sessionId: s.sessionId, share: s.customerId, x: 0.5, y: 0.5 }) },
	},
	'annotation.draw': {
		'': {
			may: ['controller'],
			call: (a, s) =>
				a.annotation.draw({
					sessionId: s.sessionId,
					markId: '00000000-0000-4000-8000-000000000000',
					share: s.customerId,
					kind: 'arrow',
					points: [
						[0, 0],
						[1, 1],
					],
				}),
		},
	},
	'annotation.clear': { '': { may: ['controller'], call: (a, s) => a.annotation.clear({ sessionId: s.sessionId, share: null }) } },
	'chat.typing': { '': { may: inSession, call: (a, s) => a.chat.typing({ sessionId: s.sessionId }) } },
	// Only a customer of the session (here refused for the time, not the person: sessionNotEnded — chat.api.test.ts).
	'chat.mailTranscript': {
		'': { may: ['customer'], call: (a, s) => a.chat.mailTranscript({ sessionId: s.sessionId, to: 'c@example.com', language: 'en' }) },
	},
	'session.startActivity': {
		recording: { may: ['controller'], call: (a, s) => a.session.startActivity({ sessionId: s.sessionId, activity: 'recording' }) },
		sharing: { may: ['controller', 'customer'], call: (a, s) => a.session.startActivity({ sessionId: s.sessionId, activity: 'sharing' }) },
		video: { may: ['controller', 'customer'], call: (a, s) => a.session.startActivity({ sessionId: s.sessionId, activity: 'video' }) },
	},
	'session.stopActivity': {
		recording: { may: ['controller'], call: (a, s) => a.session.stopActivity({ sessionId: s.sessionId, activity: 'recording' }) },
	},
	'invite.mail': { '': { may: signedInReps, call: (a) => a.invite.mail() } },
	'invite.create': {
		customer: { may: ['controller'], call: (a, s) => a.invite.create({ sessionId: s.sessionId, role: 'customer', via: 'link' }) },
		rep: { may: ['controller'], call: (a, s) => a.invite.create({ sessionId: s.sessionId, role: 'rep', via: 'mailto' }) },
	},
	'invite.send': {
		'': { may: ['controller'], call: (a, s) => a.invite.send({ sessionId: s.sessionId, role: 'customer', recipient: 'c@example.com' }) },
	},
	'invite.revoke': {
		'': { may: ['controller'], call: (a, s) => a.invite.revoke({ sessionId: s.sessionId, invitationId: s.invitationId }) },
	},
	'invite.preview': { '': { may: everyone, call: (a, s) => a.invite.preview({ token: s.customerInvite, as: 'customer' }) } },
	'feed.events': {}, // below: what each caller's first snapshot shows
	'media.capabilities': { '': { may: inSession, call: (a, s) => a.media.capabilities({ sessionId: s.sessionId }) } },
	'media.createTransport': {
		'': { may: inSession, call: (a, s) => a.media.createTransport({ sessionId: s.sessionId, direction: 'recv' }) },
	},
	'media.connectTransport': {
		'': { may: inSession, call: (a, s) => a.media.connectTransport({ sessionId: s.sessionId, transportId: 't1', dtlsParameters: {} }) },
	},
	'media.produce': {
		'': {
			may: inSession,
			call: (a, s) => a.media.produce({ sessionId: s.sessionId, transportId: 't1', kind: 'video', rtpParameters: {}, source: 'camera' }),
		},
	},
	'media.stop': { '': { may: inSession, call: (a, s) => a.media.stop({ sessionId: s.sessionId, source: 'camera' }) } },
	'media.producers': { '': { may: inSession, call: (a, s) => a.media.producers({ sessionId: s.sessionId }) } },
	'media.consume': {
		'': {
			may: inSession,
			call: (a, s) => a.media.consume({ sessionId: s.sessionId, transportId: 't1', producerId: 'p1', rtpCapabilities: {} }),
		},
	},
	'media.resumeConsumer': { '': { may: inSession, call: (a, s) => a.media.resumeConsumer({ sessionId: s.sessionId, consumerId: 'c1' }) } },
	'media.reportLost': { '': { may: inSession, call: (a, s) => a.media.reportLost({ sessionId: s.sessionId, direction: 'receive' }) } },
	// Reps who took part in the session, and administrators (SPEC §9).
	'recordings.list': { '': { may: ['controller', 'assistant', 'admin'], call: (a, s) => a.recordings.list({ sessionId: s.sessionId }) } },
	'recordings.timeline': {
		'': { may: ['controller', 'assistant', 'admin'], call: (a, s) => a.recordings.timeline({ recordingId: s.recordingId }) },
	},
	'recordings.export': {
		'': { may: ['controller', 'assistant', 'admin'], call: (a, s) => a.recordings.export({ recordingId: s.recordingId }) },
	},
	'recordings.exportStatus': {
		'': { may: ['controller', 'assistant', 'admin'], call: (a, s) => a.recordings.exportStatus({ recordingId: s.recordingId }) },
	},
	// Reports (SPEC §10): every rep reads the history (their own sessions); a session's report is for the reps
	// who took part and administrators; the survey is a customer's (of an ended session: refused here as live).
	'reports.history': { '': { may: signedInReps, call: (a) => a.reports.history({}) } },
	'reports.ratings': { '': { may: signedInReps, call: (a) => a.reports.ratings({}) } },
	'reports.filterChoices': { '': { may: signedInReps, call: (a) => a.reports.filterChoices() } },
	'reports.session': { '': { may: ['controller', 'assistant', 'admin'], call: (a, s) => a.reports.session({ sessionId: s.sessionId }) } },
	'reports.answerSurvey': {
		'': { may: ['customer'], call: (a, s) => a.reports.answerSurvey({ sessionId: s.sessionId, rating: 5, comment: '' }) },
	},
	// File transfer (SPEC §9): the controller sends to customers, a customer to the controller; the scene's file
	// is the controller's to the customer: only its recipient accepts it, only its sender (or the controller) cancels.
	'files.offer': {
		'': {
			may: ['controller', 'customer'],
			call: (a, s) => a.files.offer({ sessionId: s.sessionId, name: 'report.pdf', size: 1000, mediaType: 'application/pdf' }),
		},
	},
	'files.accept': { '': { may: ['customer'], call: (a, s) => a.files.accept({ sessionId: s.sessionId, fileId: s.fileId }) } },
	'files.cancel': { '': { may: ['controller'], call: (a, s) => a.files.cancel({ sessionId: s.sessionId, fileId: s.fileId }) } },
	// Outbound webhooks (issue 11): administrators only. An address on loopback is refused to an admin for what it
	// is (webhookPrivateAddress: private addresses are not allowed here), an unknown id as webhookNotFound.
	'webhooks.list': { '': { may: ['admin'], call: (a) => a.webhooks.list() } },
	'webhooks.register': { '': { may: ['admin'], call: (a) => a.webhooks.register({ url: 'http://127.0.0.1:9/events' }) } },
	'webhooks.remove': { '': { may: ['admin'], call: (a) => a.webhooks.remove({ id: '00000000-0000-4000-8000-000000000000' }) } },
	'webhooks.retry': { '': { may: ['admin'], call: (a) => a.webhooks.retry({ id: '00000000-0000-4000-8000-000000000000' }) } },
	// Last: it ends the caller's login, which the cells after it would need.
	'auth.signOut': { '': { may: everyone, call: (a) => a.auth.signOut() } },
};

let made = 0;
let targetRepId = '';
let queueId = '';
/** A queue of its own for each removal (one removed is not found again). */
let spareQueue: () => string = () => '';

describe('authorisation matrix', () => {
	let w: World;
	const clock = new FakeClock();
	const recordingsDir = mkdtempSync(join(tmpdir(), 'tandem-matrix-recordings-'));
	const who = {} as Record<Exclude<Actor, 'customer'>, Browser>;
	let controller: Browser;
	let assistant: Browser;
	let otherSession = '';
	const tally = { cells: 0, refused: 0, mayAndDid: 0, wrong: 0 };

	beforeAll(async () => {
		w = await world('pglite', { clock, recordingsDir });
		controller = await w.rep('Controller', { sessionMode: 'multi' });
		assistant = await w.rep('Assistant', { sessionMode: 'multi' });
		const outsider = await w.rep('Outsider', { sessionMode: 'multi' });
		otherSession = (await (await outsider.api()).session.start()).id;
		const otherNumber = (await w.services.sessions.state(otherSession))!.number;
		const otherCustomer = w.browser();
		await (await otherCustomer.api()).session.join({ number: otherNumber, name: 'Other customer' });

		const disabled = await w.rep('Disabled');
		const disabledId = (await (await disabled.api()).auth.status()).me!.id;
		const disabledCookies = new Map(disabled.cookies);
		await (await w.admin.api()).admin.updateRep({ id: disabledId, disabled: true });
		disabled.cookies.clear();
		for (const [k, v] of disabledCookies) disabled.cookies.set(k, v);

		const signedOut = await w.rep('SignedOut');
		const signedOutCookies = new Map(signedOut.cookies);
		await (await signedOut.api()).auth.signOut();
		for (const [k, v] of signedOutCookies) signedOut.cookies.set(k, v);

		const target = await w.rep('Target');
		targetRepId = (await (await target.api()).auth.status()).me!.id;
		queueId = (await (await w.admin.api()).admin.createQueue({ name: 'Matrix', members: [], routing: 'everybody', openToCustomers: true }))
			.id;
		const spares: string[] = [];
		for (let i = 0; i < 12; i++) {
			spares.push(
				(await (await w.admin.api()).admin.createQueue({ name: `Spare ${i}`, members: [], routing: 'roundRobin', openToCustomers: false }))
					.id,
			);
		}
		spareQueue = () => spares.shift()!;

		Object.assign(who, {
			anonymous: w.browser(),
			otherCustomer,
			controller,
			assistant,
			outsider,
			admin: w.admin,
			disabledRep: disabled,
			signedOutRep: signedOut,
		});
	});
	afterAll(async () => {
		console.log(
			`authorisation matrix: ${tally.cells} cells over ${actors.length} callers; ${tally.refused} refused for who they are (nothing changed), ${tally.mayAndDid} let through, ${tally.wrong} wrong`,
		);
		await w?.close();
	});

	/** A fresh session S with everyone in place; the customer's browser is new each time. */
	async function scene(): Promise<{ s: Scene; customer: Browser }> {
		const view = await (await controller.api()).session.start();
		const customer = w.browser();
		const { participantId: customerId } = await (await customer.api()).session.join({ number: view.number, name: 'Customer' });
		const assisted = await (await assistant.api()).session.assist({ number: view.number });
		const invite = async (role: 'customer' | 'rep') => (await controller.api()).invite.create({ sessionId: view.id, role, via: 'link' });
		const forCustomer = await invite('customer');
		const forRep = await invite('rep');
		const recordingId = `${view.id}-${++made}`;
		const manifest: RecordingManifest = {
			recordingId,
			sessionId: view.id,
			startedAt: clock.now(),
			endedAt: null,
			status: 'recording',
			tracks: [],
		};
		mkdirSync(join(recordingsDir, recordingId), { recursive: true });
		writeFileSync(join(recordingsDir, recordingId, 'manifest.json'), JSON.stringify(manifest));
		const { fileId } = await (await controller.api()).files.offer({ sessionId: view.id, name: 'scene.pdf', size: 1000 });
		return {
			customer,
			s: {
				sessionId: view.id,
				number: view.number,
				customerId,
				assistantId: assisted.me!.participantId,
				customerInvite: tokenOf(forCustomer.link),
				repInvite: tokenOf(forRep.link),
				invitationId: forCustomer.invitation.id,
				recordingId,
				fileId,
			},
		};
	}

	/** The caller in a browser of their own (the cookies copied): a cell cannot change another's cookies. */
	function as(actor: Actor, customer: Browser): Browser {
		const from = actor === 'customer' ? customer : who[actor];
		const b = w.browser();
		for (const [k, v] of from.cookies) b.cookies.set(k, v);
		return b;
	}

	/** Ends every session but the other rep's, so the next scene starts clean. */
	async function endAll(): Promise<void> {
		const live = await w.services.db
			.select({ id: supportSessions.id })
			.from(supportSessions)
			.where(and(ne(supportSessions.status, 'ended'), ne(supportSessions.id, otherSession)));
		for (const { id } of live) {
			await w.services.sessions.command(id, { kind: 'system' }, { type: 'endForLostConsole', reason: 'connectionLost' });
		}
	}

	it('every procedure of the router has a row, and every row a procedure', () => {
		const procedures = Object.keys(appRouter._def.procedures).sort();
		expect(Object.keys(matrix).sort()).toEqual(procedures);
	});

	for (const [procedure, rows] of Object.entries(matrix)) {
		if (procedure === 'auth.signOut') continue; // last of all, below
		for (const [row, cell] of Object.entries(rows)) {
			it(`${procedure}${row ? ` (${row})` : ''}: only ${cell.may.length === actors.length ? 'anyone' : cell.may.join(', ')}`, async () => {
				const wrong: string[] = [];
				for (const actor of actors) {
					const { s, customer } = await scene();
					const before = await fingerprint(w.services);
					const outcome = await outcomeOf(cell.call(await as(actor, customer).api(), s));
					const refusedForWho = AUTHORISATION.has(outcome);
					tally.cells++;
					if (cell.may.includes(actor)) {
						if (refusedForWho) wrong.push(`${actor} may, but was refused: ${outcome}`);
						else tally.mayAndDid++;
					} else if (!refusedForWho) {
						wrong.push(`${actor} may not, but got: ${outcome}`);
					} else {
						tally.refused++;
						if ((await fingerprint(w.services)) !== before) wrong.push(`${actor} was refused (${outcome}) but something changed`);
					}
					await endAll();
				}
				tally.wrong += wrong.length;
				expect(wrong).toEqual([]);
			});
		}
	}

	it('feed.events: only the people of a session see it in their feed', async () => {
		const wrong: string[] = [];
		for (const actor of actors) {
			const { s, customer } = await scene();
			const api = await as(actor, customer).api();
			const asKind = actor === 'customer' || actor === 'otherCustomer' || actor === 'anonymous' ? 'customer' : 'rep';
			const feed = await api.feed.events({ as: asKind });
			const iterator = feed[Symbol.asyncIterator]();
			const first = await iterator.next();
			await iterator.return?.();
			const item = snapshotOf(first.value);
			const sees = item.kind === 'snapshot' && !!item.sessions?.some((v) => v.id === s.sessionId);
			if (sees !== inSession.includes(actor)) wrong.push(`${actor} ${sees ? 'sees' : 'does not see'} the session`);
			// And as the other kind of page, nobody sees more.
			const other = await api.feed.events({ as: asKind === 'rep' ? 'customer' : 'rep' });
			const it2 = other[Symbol.asyncIterator]();
			const second = snapshotOf((await it2.next()).value);
			await it2.return?.();
			if (second.sessions?.some((v) => v.id === s.sessionId) && !inSession.includes(actor))
				wrong.push(`${actor} sees it as the other page`);
			tally.cells++;
			await endAll();
		}
		tally.wrong += wrong.length;
		expect(wrong).toEqual([]);
	});

	it("a recording's files: only reps who took part, and administrators", async () => {
		const wrong: string[] = [];
		for (const actor of actors) {
			const { s, customer } = await scene();
			const b = as(actor, customer);
			const rep = await w.services.reps.repForToken(b.cookies.get(REP_COOKIE));
			const outcome = await outcomeOf(w.services.recordings.file(rep, s.recordingId, 'manifest.json'));
			const may = ['controller', 'assistant', 'admin'].includes(actor);
			// A file not named in the manifest is recordingNotFound to those who may; the others learn nothing.
			if (may ? AUTHORISATION.has(outcome) : !AUTHORISATION.has(outcome)) wrong.push(`${actor}: ${outcome}`);
			tally.cells++;
			await endAll();
		}
		tally.wrong += wrong.length;
		expect(wrong).toEqual([]);
	});

	it("a transferred file's routes: only its sender uploads (tus), and only its sender downloads it while no recipient accepted", async () => {
		const wrong: string[] = [];
		const codeOf = async (res: Response) => (res.ok ? 'ok' : res.text());
		for (const actor of actors) {
			const { s, customer } = await scene();
			const b = as(actor, customer);
			const before = await fingerprint(w.services);
			const tus = { 'tus-resumable': '1.0.0' };
			const metadata = `fileId ${Buffer.from(s.fileId).toString('base64')}`;
			const outcomes = {
				// The sender is told the upload is not there yet (tus: 404); everyone else why they may not.
				head: await codeOf(await b.files('HEAD', `/console/api/files/${s.fileId}`, { headers: tus })),
				create: await codeOf(
					await b.files('POST', '/console/api/files', { headers: { ...tus, 'upload-length': '999', 'upload-metadata': metadata } }),
				),
				// The sender is told it has not arrived; the recipient that they have not accepted it.
				download: await codeOf(await b.files('GET', `/console/api/files/${s.fileId}/content`)),
			};
			const may = actor === 'controller';
			for (const [what, outcome] of Object.entries(outcomes)) {
				if (may ? AUTHORISATION.has(outcome) : !AUTHORISATION.has(outcome)) wrong.push(`${actor} ${what}: ${outcome}`);
			}
			if (!may && (await fingerprint(w.services)) !== before) wrong.push(`${actor} was refused but something changed`);
			tally.cells += 3;
			await endAll();
		}
		tally.wrong += wrong.length;
		expect(wrong).toEqual([]);
	});

	it('auth.signOut (last: it ends the logins the scenes need): anyone, and after it the cookie is nobody', async () => {
		const { s, customer } = await scene();
		const wrong: string[] = [];
		for (const actor of actors) {
			const b = as(actor, customer);
			const outcome = await outcomeOf(matrix['auth.signOut']!['']!.call(await b.api(), s));
			if (outcome !== 'ok') wrong.push(`${actor}: ${outcome}`);
			if ((await (await b.api()).auth.status()).me) wrong.push(`${actor} is still signed in`);
			tally.cells++;
		}
		tally.wrong += wrong.length;
		expect(wrong).toEqual([]);
		expect(await refusalOf((await controller.api()).session.start())).toBe('notSignedIn');
	});
});
