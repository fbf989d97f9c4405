// One organisation as its members see it.
import { createTRPCRouter, tenantProcedure } from "../core/trpc.ts";

export const organizationsRouter = createTRPCRouter({
  overview: tenantProcedure("org.read").query(async ({ ctx }) => {
    const [members, recentEvents] = await Promise.all([
      ctx.db.membership.count({ where: { orgId: ctx.org.id } }),
      ctx.db.auditEvent.count({
        where: { orgId: ctx.org.id, occurredAt: { gte: new Date(Date.now() - 7 * 86_400_000) } },
      }),
    ]);
    return {
      slug: ctx.org.slug,
      name: ctx.org.name,
      createdAt: ctx.org.createdAt,
      yourRole: ctx.role,
      members,
      auditEventsLast7Days: recentEvents,
    };
  }),
});
