// What a host reports back: sandbox and agent states (changes only), logs and stats. A host
// may speak only of the organisations placed on it; anything else is ignored and counted.
// State transitions are written to the agent's history and the audit log (actor: the
// worker) in one transaction.

import type { z } from "zod";
import {
  isEmptyReport,
  type ObservedAgentState,
  type reportRequestSchema,
} from "../../common/worker-protocol.ts";
import { type AuditEventInput, appendAuditEvents } from "../audit/record.ts";
import type { Db } from "../db/client.ts";
import type { Agent } from "../db/generated/client.ts";
import { applyEgressReport, trimDecisions } from "../egress/report.ts";
import { failRunningTasks } from "../tasks/lifecycle.ts";
import { applyDiskReport } from "./disk-report.ts";

type Parsed = z.output<typeof reportRequestSchema>;
/** A parsed report; egress and disk are optional for callers (tests) that build one by hand. */
type Report = Omit<Parsed, "egress" | "disk"> & Partial<Pick<Parsed, "egress" | "disk">>;

/** Lines kept per agent; older ones are trimmed as new ones arrive. */
export const logLinesKept = 2000;

export { isEmptyReport };

export async function applyReport(
  db: Db,
  host: { id: string; name: string },
  report: Report,
): Promise<{ ignored: number }> {
  // Nothing to read or write: no transaction (at a thousand hosts, most reports are empty).
  if (isEmptyReport(report)) return { ignored: 0 };
  const actor = { type: "WORKER" as const, id: host.id, name: host.name };
  const agentIds = [
    ...new Set([
      ...report.agents.map((a) => a.agentId),
      ...report.logs.map((l) => l.agentId),
      ...report.stats.map((s) => s.agentId),
      ...(report.egress?.decisions ?? []).map((d) => d.agentId),
      ...(report.egress?.uses ?? []).map((u) => u.agentId),
      ...(report.egress?.allowed ?? []).map((a) => a.agentId),
      ...(report.disk?.workspaces ?? []).map((w) => w.agentId),
    ]),
  ];
  let ignored = 0;
  /** The reported agents of organisations placed on this host. */
  const owned = new Map<string, Agent>();

  // When a fleet's reports come at once, one waits its turn for a connection for up to 8 s
  // (within the worker's 10 s request timeout) rather than Prisma's 2 s: a report that fails
  // is sent again in full, adding to the rush it failed in (#15).
  await db.$transaction(
    async (tx) => {
      // Read inside the transaction: a sandbox may have moved since the host looked.
      const placed = await tx.sandbox.findMany({
        where: { hostId: host.id },
        select: { orgId: true, state: true, reason: true },
      });
      const mine = new Set(placed.map((s) => s.orgId));
      // Its organisations first, in one order: an agent command holds its organisation's row
      // (FOR UPDATE) while it changes the agent, and the audit events below need that row; taken
      // last, a report and a command could each hold what the other waits for (a deadlock).
      if (mine.size > 0)
        await tx.$queryRaw`
        SELECT id FROM "Organization" WHERE id = ANY(${[...mine]}::text[]) ORDER BY id FOR KEY SHARE`;
      const sandboxNow = new Map(placed.map((s) => [s.orgId, s]));
      const agents = await tx.agent.findMany({ where: { id: { in: agentIds } } });
      for (const a of agents) if (mine.has(a.orgId)) owned.set(a.id, a);
      ignored = agentIds.filter((id) => !owned.has(id)).length;
      const events: AuditEventInput[] = [];
      // Read once and written in one statement each, however many agents a report carries: a
      // thousand hosts starting their agents at once send thousands of states in seconds.
      const sandboxChanges: { orgId: string; state: string; reason: string | null }[] = [];
      const sandboxEvents: AuditEventInput[] = [];
      for (const s of report.sandboxes) {
        const before = sandboxNow.get(s.tenantId);
        if (!before) {
          ignored++;
          continue;
        }
        if (before.state === s.state && before.reason === (s.reason ?? null)) continue;
        sandboxChanges.push({ orgId: s.tenantId, state: s.state, reason: s.reason ?? null });
        sandboxEvents.push({
          orgId: s.tenantId,
          actor,
          action: "sandbox.state_changed",
          outcome: s.state === "FAILED" ? "FAILURE" : "SUCCESS",
          target: { type: "sandbox", id: s.tenantId, name: host.name },
          metadata: { from: before.state, to: s.state, ...(s.reason && { reason: s.reason }) },
        });
      }
      const at = new Date().toISOString().replace("Z", ""); // Prisma's DateTime: UTC, no zone
      if (sandboxChanges.length > 0) {
        // Only sandboxes still on this host change (one may have moved since it was read).
        const changed = await tx.$queryRaw<{ orgId: string }[]>`
        UPDATE "Sandbox" AS s
        SET state = c.state::"SandboxState", reason = c.reason, "updatedAt" = ${at}::timestamp(3)
        FROM unnest(${sandboxChanges.map((c) => c.orgId)}::text[],
                    ${sandboxChanges.map((c) => c.state)}::text[],
                    ${sandboxChanges.map((c) => c.reason)}::text[]) AS c("orgId", state, reason)
        WHERE s."orgId" = c."orgId" AND s."hostId" = ${host.id}
        RETURNING s."orgId"`;
        const still = new Set(changed.map((c) => c.orgId));
        events.push(...sandboxEvents.filter((e) => e.orgId && still.has(e.orgId)));
      }

      const observed: {
        id: string;
        state: string;
        reason: string | null;
        generation: number;
        restartCount: number;
        startedAt: string | null;
      }[] = [];
      const history: {
        agentId: string;
        kind: string;
        state: ObservedAgentState;
        message: string;
      }[] = [];
      for (const a of report.agents) {
        const agent = owned.get(a.agentId);
        // A report about an older generation is stale: the spec has moved on.
        if (!agent || a.generation < agent.generation) continue;
        const changed =
          agent.observedState !== a.state ||
          agent.observedReason !== (a.reason ?? null) ||
          agent.observedGeneration !== a.generation;
        observed.push({
          id: agent.id,
          state: a.state,
          reason: a.reason ?? null,
          generation: a.generation,
          restartCount: a.restartCount,
          startedAt: a.startedAt ? new Date(a.startedAt).toISOString().replace("Z", "") : null,
        });
        // Its process ended under its tasks: they fail, saying why.
        const crashed = a.restartCount > agent.restartCount;
        if (agent.observedState === "RUNNING" && (a.state !== "RUNNING" || crashed))
          await failRunningTasks(
            tx,
            agent,
            `the agent ${crashed ? "crashed and was restarted" : a.state === "STOPPED" ? "was stopped" : `is ${a.state.toLowerCase().replace("_", " ")}`} mid-task${a.reason ? `: ${a.reason}` : ""}`,
          );
        if (!changed || agent.observedState === a.state) continue;
        history.push({
          agentId: agent.id,
          kind: "state",
          state: a.state,
          message: a.reason ?? `${agent.observedState.toLowerCase()} → ${a.state.toLowerCase()}`,
        });
        events.push({
          orgId: agent.orgId,
          actor,
          action: "agent.state_changed",
          outcome: a.state === "FAILED" || a.state === "CRASH_LOOPING" ? "FAILURE" : "SUCCESS",
          target: { type: "agent", id: agent.id, name: agent.name },
          metadata: {
            from: agent.observedState,
            to: a.state,
            generation: a.generation,
            ...(a.reason && { reason: a.reason }),
          },
        });
      }
      if (observed.length > 0)
        await tx.$executeRaw`
        UPDATE "Agent" AS g
        SET "observedState" = o.state::"AgentObservedState", "observedReason" = o.reason,
            "observedGeneration" = o.generation, "restartCount" = o.restarts,
            "startedAt" = COALESCE(o.started::timestamp(3), g."startedAt"),
            "updatedAt" = ${at}::timestamp(3)
        FROM unnest(${observed.map((o) => o.id)}::text[], ${observed.map((o) => o.state)}::text[],
                    ${observed.map((o) => o.reason)}::text[],
                    ${observed.map((o) => o.generation)}::int[],
                    ${observed.map((o) => o.restartCount)}::int[],
                    ${observed.map((o) => o.startedAt)}::text[])
          AS o(id, state, reason, generation, restarts, started)
        WHERE g.id = o.id`;
      if (history.length > 0) await tx.agentEvent.createMany({ data: history });
      if (report.egress) events.push(...(await applyEgressReport(tx, owned, actor, report.egress)));
      if (report.disk) ignored += await applyDiskReport(tx, mine, owned, report.disk);
      await appendAuditEvents(tx, events);

      const lines = report.logs.flatMap((l) =>
        owned.has(l.agentId)
          ? l.lines.map((line) => ({
              agentId: l.agentId,
              at: new Date(line.at),
              stream: line.stream,
              text: line.text,
            }))
          : [],
      );
      if (lines.length > 0) await tx.agentLogLine.createMany({ data: lines });
      const stats = report.stats.filter((s) => owned.has(s.agentId));
      if (stats.length > 0) {
        const at = new Date();
        await tx.agentStatsSample.createMany({
          data: stats.map((s) => ({
            agentId: s.agentId,
            at,
            cpuPercent: s.cpuPercent,
            memoryBytes: BigInt(Math.round(s.memoryBytes)),
            memoryLimit: BigInt(Math.round(s.memoryLimitBytes)),
            pids: s.pids,
          })),
        });
      }
    },
    { maxWait: 8_000 },
  );

  // Keep the newest lines per agent that got some.
  for (const agentId of new Set(report.logs.map((l) => l.agentId).filter((id) => owned.has(id)))) {
    await db.$executeRaw`
      DELETE FROM "AgentLogLine" WHERE "agentId" = ${agentId} AND id < (
        SELECT id FROM "AgentLogLine" WHERE "agentId" = ${agentId}
        ORDER BY id DESC OFFSET ${logLinesKept - 1} LIMIT 1)`;
  }
  await trimDecisions(db, [
    ...new Set(
      (report.egress?.decisions ?? []).map((d) => d.agentId).filter((id) => owned.has(id)),
    ),
  ]);
  return { ignored };
}
