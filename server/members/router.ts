// The members of one organisation.
import { z } from "zod";
import { createTRPCRouter, tenantProcedure } from "../core/trpc.ts";
import { roleSchema } from "../invitations/schemas.ts";
import { changeMemberRole, listMembers, removeMember } from "./service.ts";

const memberId = z.string().min(1).max(64);

export const membersRouter = createTRPCRouter({
  list: tenantProcedure("member.read").query(({ ctx }) => listMembers(ctx.db, ctx.org.id)),

  changeRole: tenantProcedure("member.manage")
    .input(z.object({ userId: memberId, role: roleSchema }))
    .mutation(({ ctx, input }) =>
      changeMemberRole(ctx.db, ctx.acting, ctx.org.id, input, ctx.request),
    ),

  remove: tenantProcedure("member.manage")
    .input(z.object({ userId: memberId }))
    .mutation(({ ctx, input }) =>
      removeMember(ctx.db, ctx.acting, ctx.org.id, input.userId, ctx.request),
    ),
});
