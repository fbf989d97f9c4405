// The audit log's filters: one schema for the viewer, its deep links, the API and exports.
import { z } from "zod";
import type { Prisma } from "../db/generated/client.ts";

const text = z.string().trim().max(200).optional();
// Dates the database can compare with (its timestamps end long before JavaScript's).
const when = z.coerce
  .date()
  .min(new Date("0001-01-01T00:00:00Z"), "A date after the year 0")
  .max(new Date("9999-12-31T23:59:59Z"), "A date before the year 10000");

export const auditFilterSchema = z.object({
  /** Actor id, or part of the actor's name. */
  actor: text,
  /** An exact action (`member.invited`) or a prefix ending in `.` or `*` (`member.`). */
  action: text,
  /** Target id, or part of the target's name. */
  target: text,
  outcome: z.enum(["SUCCESS", "FAILURE", "DENIED"]).optional(),
  from: when.optional(),
  to: when.optional(),
  /** Free text over actor, action, target and IP address. */
  q: text,
});

export type AuditFilters = z.infer<typeof auditFilterSchema>;

// Prisma passes `contains` and `startsWith` to (I)LIKE as they are; escape the wildcards so
// `%` and `_` mean themselves.
const literal = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);
const contains = (value: string) => ({ contains: literal(value), mode: "insensitive" as const });

/** An action filter is a prefix when it ends in `.` or `*` (`member.`, `member.*`). */
export function actionFilter(action: string): { prefix: string } | { exact: string } {
  if (action.endsWith("*")) return { prefix: action.slice(0, -1) };
  if (action.endsWith(".")) return { prefix: action };
  return { exact: action };
}

export function auditWhere(chain: string, f: AuditFilters): Prisma.AuditEventWhereInput {
  const and: Prisma.AuditEventWhereInput[] = [{ chain, seq: { not: null } }];
  if (f.actor) and.push({ OR: [{ actorId: f.actor }, { actorName: contains(f.actor) }] });
  if (f.action) {
    const match = actionFilter(f.action);
    and.push({ action: "exact" in match ? match.exact : { startsWith: literal(match.prefix) } });
  }
  if (f.target) and.push({ OR: [{ targetId: f.target }, { targetName: contains(f.target) }] });
  if (f.outcome) and.push({ outcome: f.outcome });
  if (f.from) and.push({ occurredAt: { gte: f.from } });
  if (f.to) and.push({ occurredAt: { lt: f.to } });
  if (f.q) {
    and.push({
      OR: [
        { actorName: contains(f.q) },
        { action: contains(f.q) },
        { targetName: contains(f.q) },
        { ipAddress: contains(f.q) },
      ],
    });
  }
  return { AND: and };
}
