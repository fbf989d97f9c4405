// The fleet, for operators: hosts with their capacity and sandboxes, enrolment tokens,
// cordon, drain and revoke. Every change is audited on the platform chain.
import { z } from "zod";
import { DomainError } from "../../common/errors.ts";
import { recordAuditEvent } from "../audit/record.ts";
import { webConfig } from "../core/config.ts";
import { whenChanged } from "../core/live.ts";
import { createTRPCRouter, operatorProcedure } from "../core/trpc.ts";
import type { Db } from "../db/client.ts";
import { changeIsolation, operatorIsolationSchema } from "../organizations/isolation.ts";
import { placeSandboxes } from "./controller.ts";
import { bumpHosts } from "./desired.ts";
import { createEnrolmentToken } from "./enrolment.ts";
import { lockPlacement, reservationsByOrg } from "./reservations.ts";

const hostId = z.object({ hostId: z.string().min(1).max(64) });

/** Hosts with their capacity, use and sandboxes, for the fleet page. */
async function fleetHosts(db: Db) {
  const deadline = webConfig().CORRAL_WORKER_DEADLINE_SECONDS;
  const hosts = await db.workerHost.findMany({
    orderBy: { name: "asc" },
    include: {
      sandboxes: {
        include: {
          org: { select: { slug: true, name: true, isolation: true, isolationLocked: true } },
        },
      },
    },
  });
  const now = Date.now();
  const reserved = await db.$transaction((tx) =>
    reservationsByOrg(
      tx,
      hosts.flatMap((h) => h.sandboxes.map((s) => s.orgId)),
    ),
  );
  const use = (orgId: string) => reserved.get(orgId) ?? { millis: 0, memoryMb: 0 };
  return hosts.map(({ credentialHash: _hash, sandboxes, ...h }) => ({
    ...h,
    live: !h.revokedAt && !h.lostAt && now - h.lastHeartbeatAt.getTime() <= deadline * 1000,
    // Reserved by the agents of the sandboxes placed here (reservations.ts).
    usedMillis: sandboxes.reduce((n, s) => n + use(s.orgId).millis, 0),
    usedMemoryMb: sandboxes.reduce((n, s) => n + use(s.orgId).memoryMb, 0),
    sandboxes: sandboxes.map((s) => ({
      org: s.org.name,
      slug: s.org.slug,
      state: s.state,
      reason: s.reason,
      /** What it runs as (MICROVM or CONTAINER); null: placed before this was recorded. */
      isolation: s.isolation,
      /** The organisation's choice (null: automatic) and whether an operator locked it. */
      wanted: s.org.isolation,
      locked: s.org.isolationLocked,
      // Its storage as the host last measured it (null until then).
      storage:
        s.storageUsedBytes !== null && s.storageSizeBytes !== null
          ? {
              usedBytes: Number(s.storageUsedBytes),
              sizeBytes: Number(s.storageSizeBytes),
              measuredAt: s.storageMeasuredAt,
            }
          : null,
    })),
  }));
}

/** Sandboxes no host holds, with why (placement writes the reason). */
async function waitingSandboxes(db: Db) {
  const waiting = await db.sandbox.findMany({
    where: { hostId: null, org: { deletedAt: null } },
    orderBy: { orgId: "asc" },
    include: {
      org: { select: { slug: true, name: true, isolation: true, isolationLocked: true } },
    },
  });
  return waiting.map((s) => ({
    org: s.org.name,
    slug: s.org.slug,
    reason: s.reason,
    wanted: s.org.isolation,
    locked: s.org.isolationLocked,
  }));
}

export const fleetRouter = createTRPCRouter({
  hosts: operatorProcedure.query(({ ctx }) => fleetHosts(ctx.db)),

  waiting: operatorProcedure.query(({ ctx }) => waitingSandboxes(ctx.db)),

  /** An operator sets an organisation's isolation, and may lock it against its owners. */
  setOrgIsolation: operatorProcedure
    .input(operatorIsolationSchema)
    .mutation(async ({ ctx, input }) => {
      const org = await ctx.db.organization.findFirst({
        where: { slug: input.organization, deletedAt: null },
        select: { id: true },
      });
      if (!org) throw new DomainError("NOT_FOUND", "No such organisation.", "organization");
      return changeIsolation(ctx.db, {
        orgId: org.id,
        isolation: input.isolation,
        locked: input.locked,
        actor: ctx.operator,
        request: ctx.request,
      });
    }),

  /** The same, pushed as heartbeats, states and placements change. */
  watchHosts: operatorProcedure.subscription(({ ctx, signal }) =>
    whenChanged(() => fleetHosts(ctx.db), signal, 2000),
  ),

  createEnrolmentToken: operatorProcedure
    .input(
      z.object({
        description: z.string().trim().max(100, "Use at most 100 characters").default(""),
        ttlHours: z.number().int().min(1).max(168).default(24),
        /** Only a worker of this name may use it. */
        hostName: z
          .string()
          .trim()
          .max(64)
          .regex(
            /^([a-zA-Z0-9][a-zA-Z0-9._-]*)?$/,
            "letters, digits, dot, dash and underscore only",
          )
          .optional(),
        /** It may replace a live host of that name (a reinstall); needs hostName. */
        replaceHost: z.boolean().default(false),
      }),
    )
    .mutation(({ ctx, input }) => createEnrolmentToken(ctx.db, ctx.operator, input, ctx.request)),

  setHostState: operatorProcedure
    .input(hostId.extend({ state: z.enum(["cordon", "uncordon", "drain", "revoke"]) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.db.$transaction(async (tx) => {
        await lockPlacement(tx); // first: the placement below follows the audit event
        const host = await tx.workerHost.findUnique({ where: { id: input.hostId } });
        if (!host) throw new DomainError("NOT_FOUND", "No such host.");
        const data = {
          cordon: { cordoned: true },
          uncordon: { cordoned: false, draining: false },
          drain: { cordoned: true, draining: true },
          revoke: { revokedAt: new Date(), cordoned: true, draining: true },
        }[input.state];
        await tx.workerHost.update({ where: { id: host.id }, data });
        await recordAuditEvent(tx, {
          actor: ctx.operator,
          action: (
            {
              cordon: "worker.cordoned",
              uncordon: "worker.uncordoned",
              drain: "worker.draining",
              revoke: "worker.revoked",
            } as const
          )[input.state],
          target: { type: "worker_host", id: host.id, name: host.name },
          request: ctx.request,
          metadata: {
            before: {
              cordoned: host.cordoned,
              draining: host.draining,
              revoked: Boolean(host.revokedAt),
            },
            after: data,
          },
        });
        await bumpHosts(tx, [host.id]);
        // Draining or revoked hosts give their sandboxes up now, not at the next pass.
        await placeSandboxes(tx, { deadlineSeconds: webConfig().CORRAL_WORKER_DEADLINE_SECONDS });
      });
    }),
});
