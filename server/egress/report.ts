// What a host's egress gateway reports, written down: every denial as an audit event and a
// live-view row, allowed traffic as one audit event per agent, host and minute (through the
// batched append, so a chatty agent cannot flood the chain), and each use of a secret in the
// ledger. Only agents of organisations placed on the reporting host count.

import type { EgressReport } from "../../common/worker-protocol.ts";
import type { AuditActor, AuditEventInput } from "../audit/record.ts";
import type { Db, Tx } from "../db/client.ts";

/** Decisions kept per agent for the live view; the audit log keeps the rest. */
export const decisionsKept = 200;

interface OwnedAgent {
  id: string;
  orgId: string;
  name: string;
}

export async function applyEgressReport(
  tx: Tx,
  owned: Map<string, OwnedAgent>,
  actor: AuditActor,
  egress: EgressReport,
): Promise<AuditEventInput[]> {
  const events: AuditEventInput[] = [];
  const decisions = egress.decisions.filter((d) => owned.has(d.agentId));
  for (const d of decisions) {
    if (d.allowed) continue;
    const agent = owned.get(d.agentId) as OwnedAgent;
    events.push({
      orgId: agent.orgId,
      actor: { type: "AGENT", id: agent.id, name: agent.name },
      action: "egress.denied",
      outcome: "DENIED",
      target: { type: "host", id: `${d.host}:${d.port}`, name: d.host },
      occurredAt: new Date(d.at),
      metadata: { method: d.method, path: d.path, reason: d.reason, reportedBy: actor.name },
    });
  }
  if (decisions.length > 0)
    await tx.egressDecision.createMany({
      data: decisions.map((d) => ({
        orgId: (owned.get(d.agentId) as OwnedAgent).orgId,
        agentId: d.agentId,
        at: new Date(d.at),
        allowed: d.allowed,
        host: d.host,
        port: d.port,
        method: d.method,
        path: d.path,
        reason: d.reason,
        status: d.status ?? null,
      })),
    });

  for (const a of egress.allowed) {
    const agent = owned.get(a.agentId);
    if (!agent) continue;
    events.push({
      orgId: agent.orgId,
      actor: { type: "AGENT", id: agent.id, name: agent.name },
      action: "egress.allowed",
      target: { type: "host", id: a.host, name: a.host },
      occurredAt: new Date(a.minute),
      metadata: { minute: a.minute, requests: a.requests, bytes: a.bytes },
    });
  }

  // A secret counts only if it is the agent's organisation's (a host could misreport).
  const secretIds = [...new Set(egress.uses.map((u) => u.secretId))];
  const secrets = new Map(
    (
      await tx.secret.findMany({
        where: { id: { in: secretIds } },
        select: { id: true, orgId: true, name: true },
      })
    ).map((s) => [s.id, s]),
  );
  const uses = egress.uses.filter((u) => {
    const agent = owned.get(u.agentId);
    return agent && secrets.get(u.secretId)?.orgId === agent.orgId;
  });
  if (uses.length > 0) {
    await tx.secretUse.createMany({
      data: uses.map((u) => ({
        orgId: (owned.get(u.agentId) as OwnedAgent).orgId,
        agentId: u.agentId,
        secretId: u.secretId,
        secretName: secrets.get(u.secretId)?.name ?? "",
        version: u.version,
        host: u.host,
        method: u.method,
        path: u.path,
        status: u.status,
        bytes: BigInt(u.bytes),
        at: new Date(u.at),
      })),
    });
    const lastUse = new Map<string, Date>();
    for (const u of uses) {
      const at = new Date(u.at);
      if (at > (lastUse.get(u.secretId) ?? new Date(0))) lastUse.set(u.secretId, at);
    }
    for (const [id, at] of lastUse)
      await tx.secret.updateMany({
        where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: at } }] },
        data: { lastUsedAt: at },
      });
  }
  return events;
}

/** Keeps the newest decisions of the agents that got some. */
export async function trimDecisions(db: Db, agentIds: string[]) {
  for (const agentId of agentIds) {
    await db.$executeRaw`
      DELETE FROM "EgressDecision" WHERE "agentId" = ${agentId} AND id < (
        SELECT id FROM "EgressDecision" WHERE "agentId" = ${agentId}
        ORDER BY id DESC OFFSET ${decisionsKept - 1} LIMIT 1)`;
  }
}
