// Organisations: create one, look at one, change its settings, delete it.

import { observedAgentStates } from "../../common/worker-protocol.ts";
import { quotaUse } from "../agents/quotas.ts";
import { can } from "../auth/permissions.ts";
import { createTRPCRouter, signedInProcedure, tenantProcedure } from "../core/trpc.ts";
import { onboardingSteps } from "../onboarding/checklist.ts";
import { changeIsolation, fleetOffers, sandboxIsolation, setIsolationSchema } from "./isolation.ts";
import {
  createOrganizationSchema,
  deleteOrganizationSchema,
  updateOrganizationSchema,
} from "./schemas.ts";
import { createOrganization, deleteOrganization, updateOrganization } from "./service.ts";

export const organizationsRouter = createTRPCRouter({
  create: signedInProcedure
    .input(createOrganizationSchema)
    .mutation(({ ctx, input }) => createOrganization(ctx.db, ctx.session.user, input, ctx.request)),

  overview: tenantProcedure("org.read").query(async ({ ctx }) => {
    const since = new Date(Date.now() - 13 * 86_400_000);
    since.setUTCHours(0, 0, 0, 0);
    const mayReadAudit = can(ctx.role, "audit.read");
    // One scoped transaction for all six reads: as separate statements each paid for a
    // transaction of its own (begin, scope, read, commit), four times the round trips.
    const { members, recentEvents, agents, perDay, latest, used } = await ctx.db.$transaction(
      async (tx) => ({
        members: await tx.membership.count({ where: { orgId: ctx.org.id } }),
        recentEvents: await tx.auditEvent.count({
          where: {
            orgId: ctx.org.id,
            occurredAt: { gte: new Date(Date.now() - 7 * 86_400_000) },
          },
        }),
        agents: await tx.agent.groupBy({
          by: ["observedState"],
          where: { orgId: ctx.org.id },
          _count: true,
        }),
        perDay: await tx.$queryRaw<{ day: Date; events: number }[]>`
          SELECT date_trunc('day', "occurredAt") AS day, count(*)::int AS events
          FROM "AuditEvent" WHERE chain = ${ctx.org.id} AND "occurredAt" >= ${since}
          GROUP BY 1 ORDER BY 1`,
        // The latest events, for those whose role may read the audit log.
        latest: mayReadAudit
          ? await tx.auditEvent.findMany({
              where: { chain: ctx.org.id, seq: { not: null } },
              orderBy: { seq: "desc" },
              take: 5,
              select: { id: true, action: true, actorName: true, occurredAt: true, outcome: true },
            })
          : null,
        used: await quotaUse(tx, ctx.org.id),
      }),
    );
    // Every one of the last 14 days, zeros included, so the chart's axis does not jump.
    const auditPerDay = Array.from({ length: 14 }, (_, i) => {
      const day = new Date(since.getTime() + i * 86_400_000);
      const found = perDay.find((d) => d.day.getTime() === day.getTime());
      return { day: day.toISOString().slice(0, 10), events: found?.events ?? 0 };
    });
    const count = (states: string[]) =>
      agents.filter((a) => states.includes(a.observedState)).reduce((n, a) => n + a._count, 0);
    return {
      slug: ctx.org.slug,
      name: ctx.org.name,
      createdAt: ctx.org.createdAt,
      yourRole: ctx.role,
      members,
      auditEventsLast7Days: recentEvents,
      auditPerDay,
      latestEvents: latest,
      quota: {
        used,
        limits: {
          agents: ctx.org.agentLimit,
          cpuMillis: ctx.org.cpuQuotaMillis,
          memoryMb: ctx.org.memoryQuotaMb,
        },
      },
      agentsByState: Object.fromEntries(agents.map((a) => [a.observedState, a._count])),
      agents: {
        total: count([...observedAgentStates]),
        running: count(["RUNNING"]),
        failing: count(["FAILED", "CRASH_LOOPING"]),
      },
    };
  }),

  onboarding: tenantProcedure("org.read").query(({ ctx }) => onboardingSteps(ctx.db, ctx.org.id)),

  settings: tenantProcedure("org.read").query(async ({ ctx }) => ({
    name: ctx.org.name,
    slug: ctx.org.slug,
    allowedEmailDomain: ctx.org.allowedEmailDomain,
    seatLimit: ctx.org.seatLimit,
    isolation: {
      /** null: automatic (a microVM where a host offers one). */
      chosen: ctx.org.isolation,
      locked: ctx.org.isolationLocked,
      sandbox: await sandboxIsolation(ctx.db, ctx.org.id),
      fleetOffers: await fleetOffers(ctx.db),
    },
  })),

  /** MicroVM or container for the organisation's sandbox; refused while an operator locks it. */
  setIsolation: tenantProcedure("org.isolation")
    .input(setIsolationSchema)
    .mutation(({ ctx, input }) =>
      changeIsolation(ctx.db, {
        orgId: ctx.org.id,
        isolation: input.isolation,
        actor: ctx.acting.audit,
        request: ctx.request,
      }),
    ),

  update: tenantProcedure("org.update")
    .input(updateOrganizationSchema)
    .mutation(({ ctx, input }) =>
      updateOrganization(ctx.db, ctx.acting, ctx.org.id, input, ctx.request),
    ),

  delete: tenantProcedure("org.delete")
    .input(deleteOrganizationSchema)
    .mutation(({ ctx, input }) =>
      deleteOrganization(ctx.db, ctx.acting, ctx.org, input.confirmName, ctx.request),
    ),
});
