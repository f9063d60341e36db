// Tools › Invite (SPEC §3): invitation links for a customer or a support rep, by Tandem's e-mail (Send),
// by the rep's own e-mail program (a mailto: with subject and body), or as a copied link; and revoking.
// Only the controlling rep may invite or revoke — the session rules decide, not this router.

import { z } from 'zod';
import { publicProcedure, repProcedure, router } from '../trpc.ts';

const sessionId = z.uuid();
const role = z.enum(['customer', 'rep']);
/** Checked as an address by the service (invalidEmail), so that the rep gets that clear error. */
const recipient = z.string().max(320);
/** A link's token as it came in a URL; an unknown or malformed one is invitationNotFound. */
const token = z.string().max(200);

export const inviteRouter = router({
	/** How Tandem's e-mail goes out: over SMTP, or into the outbox folder (the dialog says so). */
	mail: repProcedure.query(({ ctx }) => ctx.services.invitations.mail),

	/** Copy link (`via: 'link'`) or Use my own e-mail program (`via: 'mailto'`): a new link and its words. */
	create: repProcedure
		.input(z.object({ sessionId, role, via: z.enum(['link', 'mailto']), recipient: recipient.optional() }))
		.mutation(({ ctx, input }) => ctx.services.invitations.create(ctx.rep.id, input.sessionId, input)),

	/** Send: Tandem e-mails the invitation. */
	send: repProcedure
		.input(z.object({ sessionId, role, recipient }))
		.mutation(({ ctx, input }) => ctx.services.invitations.send(ctx.rep.id, input.sessionId, input)),

	revoke: repProcedure.input(z.object({ sessionId, invitationId: z.uuid() })).mutation(async ({ ctx, input }) => {
		await ctx.services.invitations.revoke(ctx.rep.id, input.sessionId, input.invitationId);
		return { ok: true as const };
	}),

	/** What a link shows before joining (the session's number, who invites), or why it no longer works. */
	preview: publicProcedure
		.input(z.object({ token, as: role }))
		.query(({ ctx, input }) => ctx.services.invitations.preview(input.token, input.as)),
});
