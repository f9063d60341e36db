// Inviting (SPEC §3): the controlling rep makes an invitation link for a customer or a support rep and
// passes it on by Tandem's e-mail (Send), by their own e-mail program (a mailto: with subject and body),
// or as a copied link. Whether they may is the session rules' call (decide); this wires the links,
// the words and the mail port around it.

import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { reps } from '@tandem/db';
import { invitationView, type InvitationView } from '../feed/views.ts';
import { invitationMail, mailtoHref, type Language } from '../mail/invitationMail.ts';
import { MailError, type Mailer } from '../mail/mailer.ts';
import { refuse, TandemError } from '../refusal.ts';
import { invitationRefusal } from '../session/decide.ts';
import type { Invitation, InvitedRole, SessionState } from '../session/model.ts';
import { formatSessionNumber } from '../session/sessionNumber.ts';
import type { Tx } from './repLoad.ts';
import type { SessionService } from './sessionService.ts';

export interface InvitationsDeps {
	db: Tx;
	sessions: SessionService;
	mailer: Mailer;
	/** The site's public address, e.g. https://support.example.com (no trailing slash). */
	publicUrl: string;
}

/** What the rep gets for a link or a mailto invitation: the link with its token, and ready words. */
export interface MadeInvitation {
	invitation: InvitationView;
	link: string;
	subject: string;
	body: string;
	mailto: string;
}

export interface SentInvitation {
	invitation: InvitationView;
	transport: 'smtp' | 'outbox';
}

/** What an invitation link shows before joining. */
export interface InvitationPreview {
	role: InvitedRole;
	sessionId: string;
	number: string;
	numberFormatted: string;
	/** The rep who controls the session (null while it waits for an agent). */
	repName: string | null;
	expiresAt: number;
}

const emailAddress = z.email();
const validEmail = (s: string) => s.length <= 254 && emailAddress.safeParse(s).success;

export class Invitations {
	private readonly deps: InvitationsDeps;

	constructor(deps: InvitationsDeps) {
		this.deps = deps;
	}

	/** How Tandem's e-mail leaves (not where on the server an outbox is: a rep has no business with its paths). */
	get mail(): { transport: 'smtp' | 'outbox' } {
		return { transport: this.deps.mailer.transport };
	}

	/** Customers join on the support site; reps open the console (which asks them to sign in first). */
	linkFor(role: InvitedRole, token: string): string {
		const site = this.deps.publicUrl;
		return role === 'customer' ? `${site}/?invite=${token}` : `${site}/console/?invite=${token}`;
	}

	/** Copy link, or Use my own e-mail program: an invitation and its words; nothing is sent. */
	async create(
		repId: string,
		sessionId: string,
		what: { role: InvitedRole; via: 'link' | 'mailto'; recipient?: string | null },
	): Promise<MadeInvitation> {
		const recipient = what.via === 'mailto' ? cleanRecipient(what.recipient, { required: false }) : null;
		const language = await this.languageFor(repId, what.role, recipient);
		const made = await this.deps.sessions.createInvitation(sessionId, repId, { role: what.role, via: what.via, recipient });
		const link = this.linkFor(what.role, made.token);
		const { subject, body } = this.words(made.state, made.invitation, link, language);
		return { invitation: invitationView(made.invitation), link, subject, body, mailto: mailtoHref(recipient, subject, body) };
	}

	/**
	 * Send: Tandem e-mails the invitation. An invalid address makes nothing; a mail server that refuses
	 * or cannot be reached leaves the invitation not sent (and withdrawn) and the rep is told.
	 */
	async send(repId: string, sessionId: string, what: { role: InvitedRole; recipient: string }): Promise<SentInvitation> {
		const recipient = cleanRecipient(what.recipient, { required: true })!;
		const language = await this.languageFor(repId, what.role, recipient);
		const made = await this.deps.sessions.createInvitation(sessionId, repId, { role: what.role, via: 'email', recipient });
		const { subject, body } = this.words(made.state, made.invitation, this.linkFor(what.role, made.token), language);
		const { sessions, mailer } = this.deps;
		try {
			await mailer.send({ to: recipient, subject, text: body, language });
		} catch (error) {
			const reason = error instanceof MailError ? error.message : String(error);
			await sessions.recordInvitationMail(sessionId, made.invitation.id, reason).catch(ignoreRefusal);
			throw new TandemError('mailNotSent', reason, { reason });
		}
		const state = await sessions.recordInvitationMail(sessionId, made.invitation.id, null).catch(ignoreRefusal);
		const invitation = state?.invitations.find((i) => i.id === made.invitation.id) ?? made.invitation;
		return { invitation: invitationView(invitation), transport: mailer.transport };
	}

	async revoke(repId: string, sessionId: string, invitationId: string): Promise<void> {
		await this.deps.sessions.revokeInvitation(sessionId, repId, invitationId);
	}

	/**
	 * What a link shows before anyone joins by it: the session and who invites. Refused, with the same
	 * reasons joining would give, when the link is unknown, of the other role, revoked, expired, or its
	 * session is over.
	 */
	async preview(token: string, as: InvitedRole): Promise<InvitationPreview> {
		const { sessions } = this.deps;
		const { invitationId, state } = await sessions.invitationForToken(token);
		if (state.status === 'ended') refuse('sessionEnded');
		const bad = invitationRefusal(state, invitationId, as, sessions.now());
		if (bad) refuse(bad);
		const invitation = state.invitations.find((i) => i.id === invitationId)!;
		return {
			role: invitation.role,
			sessionId: state.id,
			number: state.number,
			numberFormatted: formatSessionNumber(state.number),
			repName: state.participants.find((p) => p.id === state.controllerId)?.name ?? null,
			expiresAt: invitation.expiresAt,
		};
	}

	/** The recipient's language where Tandem knows it (a rep's account), else the inviting rep's. */
	private async languageFor(repId: string, role: InvitedRole, recipient: string | null): Promise<Language> {
		const { db } = this.deps;
		if (role === 'rep' && recipient) {
			const [known] = await db.select({ language: reps.language }).from(reps).where(eq(reps.email, recipient.toLowerCase()));
			if (known) return known.language;
		}
		const [inviter] = await db.select({ language: reps.language }).from(reps).where(eq(reps.id, repId));
		return inviter?.language ?? 'en';
	}

	private words(state: SessionState, invitation: Invitation, link: string, language: Language) {
		return invitationMail({
			role: invitation.role,
			language,
			repName: state.participants.find((p) => p.id === invitation.createdBy)?.name ?? '',
			number: formatSessionNumber(state.number),
			link,
			site: `${this.deps.publicUrl}/`,
			expiresAt: invitation.expiresAt,
		});
	}
}

/** A typed address: trimmed; refused with invalidEmail when it is not one (or missing when required). */
function cleanRecipient(typed: string | null | undefined, { required }: { required: boolean }): string | null {
	const recipient = typed?.trim() ?? '';
	if (!recipient) return required ? refuse('invalidEmail') : null;
	if (!validEmail(recipient)) refuse('invalidEmail');
	return recipient;
}

/** Recording the mail's outcome may meet a session that ended meanwhile: the outcome no longer matters. */
function ignoreRefusal(error: unknown): null {
	if (error instanceof TandemError) return null;
	throw error;
}
