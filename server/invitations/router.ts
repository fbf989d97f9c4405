// Invitations inside one organisation, and accepting one by its link's token.
import { z } from "zod";
import { hit } from "../auth/rate-limits.ts";
import { createTRPCRouter, signedInProcedure, tenantProcedure } from "../core/trpc.ts";
import { invitationIdSchema, inviteMemberSchema } from "./schemas.ts";
import {
  acceptInvitation,
  inviteMember,
  listPendingInvitations,
  resendInvitation,
  revokeInvitation,
} from "./service.ts";

/** Each invitation sends an email: limit them per person and per network. */
async function limitInvitations(userId: string, ipAddress: string | null) {
  await hit("invite:account", userId, "invitations sent");
  await hit("invite:ip", ipAddress, "invitations sent from your network");
}

export const invitationsRouter = createTRPCRouter({
  listPending: tenantProcedure("member.read").query(({ ctx }) =>
    listPendingInvitations(ctx.db, ctx.org.id),
  ),

  create: tenantProcedure("member.invite")
    .input(inviteMemberSchema)
    .mutation(async ({ ctx, input }) => {
      await limitInvitations(ctx.acting.user.id, ctx.request.ipAddress);
      return inviteMember(ctx.db, ctx.acting, ctx.org, input, ctx.request);
    }),

  resend: tenantProcedure("member.invite")
    .input(invitationIdSchema)
    .mutation(async ({ ctx, input }) => {
      await limitInvitations(ctx.acting.user.id, ctx.request.ipAddress);
      return resendInvitation(ctx.db, ctx.acting, ctx.org, input.invitationId, ctx.request);
    }),

  revoke: tenantProcedure("member.invite")
    .input(invitationIdSchema)
    .mutation(({ ctx, input }) =>
      revokeInvitation(ctx.db, ctx.acting, ctx.org, input.invitationId, ctx.request),
    ),

  accept: signedInProcedure
    .input(z.object({ token: z.string().min(1).max(128) }))
    .mutation(({ ctx, input }) =>
      acceptInvitation(ctx.db, ctx.session.user, input.token, ctx.request),
    ),
});
