// The audit log of one organisation: filtered pages (newest first, keyset by sequence
// number), and re-verifying its chain.
import { z } from "zod";
import { createTRPCRouter, tenantProcedure } from "../core/trpc.ts";
import { auditFilterSchema, auditWhere } from "./filters.ts";
import { recordAuditEvent } from "./record.ts";
import { verifyChain } from "./verify.ts";

/** Sequence numbers are 32-bit in the database; a larger cursor could never match. */
const maxSeq = 2 ** 31 - 1;

export const auditRouter = createTRPCRouter({
  list: tenantProcedure("audit.read")
    .input(
      z.object({
        filters: auditFilterSchema.default({}),
        /** The `seq` of the last event already shown; the page continues below it. */
        cursor: z.number().int().positive().max(maxSeq).optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      const where = auditWhere(ctx.org.id, input.filters);
      const events = await ctx.db.auditEvent.findMany({
        where: input.cursor ? { AND: [where, { seq: { lt: input.cursor } }] } : where,
        orderBy: { seq: "desc" },
        take: input.limit + 1,
      });
      const page = events.slice(0, input.limit);
      return {
        events: page,
        nextCursor: events.length > input.limit ? (page.at(-1)?.seq ?? null) : null,
      };
    }),

  verify: tenantProcedure("audit.read").mutation(async ({ ctx }) => {
    const report = await verifyChain(ctx.db, ctx.org.id);
    await ctx.db.$transaction((tx) =>
      recordAuditEvent(tx, {
        orgId: ctx.org.id,
        actor: ctx.acting.audit,
        action: "audit.verified",
        outcome: report.ok ? "SUCCESS" : "FAILURE",
        request: ctx.request,
        metadata: {
          checked: report.checked,
          ...(report.broken && { broken: { ...report.broken } }),
        },
      }),
    );
    return report;
  }),
});
