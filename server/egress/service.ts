// Where agents may send requests, and the emergency brake. Policies are deny by default; the
// organisation's ceiling bounds every agent's rules. Every change wakes the host holding the
// sandbox: its gateway applies it to running agents within a second, without a restart.

import type { EgressRule } from "../../common/egress-policy.ts";
import { DomainError } from "../../common/errors.ts";
import { type AuditRequest, recordAuditEvent } from "../audit/record.ts";
import type { Acting } from "../auth/acting.ts";
import type { Db, Tx } from "../db/client.ts";
import { bumpOrgHost } from "../fleet/desired.ts";
import type { SetPolicyInput } from "./schemas.ts";

async function findAgent(tx: Tx | Db, orgId: string, agentId: string) {
  const agent = await tx.agent.findFirst({ where: { id: agentId, orgId } });
  if (!agent) throw new DomainError("NOT_FOUND", "That agent does not exist (any more).");
  return agent;
}

const agentTarget = (a: { id: string; name: string }) => ({
  type: "agent",
  id: a.id,
  name: a.name,
});

/** An agent's policy, its grants (without values) and the ceiling over it. */
export async function agentEgress(db: Db, org: { id: string }, agentId: string) {
  const [agent, grants, ceiling] = await Promise.all([
    findAgent(db, org.id, agentId),
    db.secretGrant.findMany({
      where: { agentId, orgId: org.id },
      orderBy: { createdAt: "asc" },
      include: { secret: { select: { id: true, name: true, version: true, lastUsedAt: true } } },
    }),
    db.organization.findUniqueOrThrow({
      where: { id: org.id },
      select: { egressCeilingOn: true, egressCeiling: true },
    }),
  ]);
  return {
    agentId: agent.id,
    preset: agent.egressPreset,
    rules: agent.egressRules as EgressRule[],
    quarantinedAt: agent.quarantinedAt,
    quarantineReason: agent.quarantineReason,
    grants: grants.map((g) => ({
      id: g.id,
      secret: g.secret,
      hosts: g.hosts,
      pathPrefix: g.pathPrefix,
      headerName: g.headerName,
      headerTemplate: g.headerTemplate,
      placeholderEnv: g.placeholderEnv,
    })),
    ceiling: ceiling.egressCeilingOn ? ceiling.egressCeiling : null,
  };
}

export async function setAgentPolicy(
  db: Db,
  acting: Acting,
  orgId: string,
  input: SetPolicyInput,
  request: AuditRequest,
) {
  return db.$transaction(async (tx) => {
    const before = await findAgent(tx, orgId, input.agentId);
    const rules = input.preset === "CUSTOM" ? input.rules : [];
    await tx.agent.update({
      where: { id: before.id },
      data: { egressPreset: input.preset, egressRules: rules },
    });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "egress.policy_changed",
      target: agentTarget(before),
      request,
      metadata: {
        before: { preset: before.egressPreset, rules: before.egressRules as object },
        after: { preset: input.preset, rules },
      },
    });
    await bumpOrgHost(tx, orgId);
    return { preset: input.preset, rules };
  });
}

export async function orgCeiling(db: Db | Tx, orgId: string) {
  const org = await db.organization.findUniqueOrThrow({
    where: { id: orgId },
    select: { egressCeilingOn: true, egressCeiling: true },
  });
  return { enabled: org.egressCeilingOn, hosts: org.egressCeiling };
}

export async function setOrgCeiling(
  db: Db,
  acting: Acting,
  orgId: string,
  input: { enabled: boolean; hosts: string[] },
  request: AuditRequest,
) {
  return db.$transaction(async (tx) => {
    const before = await orgCeiling(tx, orgId);
    const hosts = [...new Set(input.hosts)];
    await tx.organization.update({
      where: { id: orgId },
      data: { egressCeilingOn: input.enabled, egressCeiling: hosts },
    });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "egress.ceiling_changed",
      target: { type: "organization", id: orgId },
      request,
      metadata: { before, after: { enabled: input.enabled, hosts } },
    });
    await bumpOrgHost(tx, orgId);
    return { enabled: input.enabled, hosts };
  });
}

/**
 * One button: the gateway refuses everything for the agent at once, the agent stops (its
 * container and workspace are kept) and its grants are suspended, until released.
 */
export async function quarantineAgent(
  db: Db,
  acting: Acting,
  orgId: string,
  input: { agentId: string; reason: string },
  request: AuditRequest,
) {
  return db.$transaction(async (tx) => {
    const agent = await findAgent(tx, orgId, input.agentId);
    if (agent.quarantinedAt) return { quarantinedAt: agent.quarantinedAt };
    const reason = input.reason || `quarantined by ${acting.audit.name}`;
    const updated = await tx.agent.update({
      where: { id: agent.id },
      data: { quarantinedAt: new Date(), quarantineReason: reason },
    });
    await tx.agentEvent.create({
      data: {
        agentId: agent.id,
        kind: "command",
        message: `quarantined by ${acting.audit.name}: ${reason}`,
      },
    });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "agent.quarantined",
      target: agentTarget(agent),
      request,
      metadata: { reason, desiredState: agent.desiredState },
    });
    await bumpOrgHost(tx, orgId);
    return { quarantinedAt: updated.quarantinedAt };
  });
}

/** Grants and network come back; an agent that should run starts again (a new run). */
export async function releaseAgent(
  db: Db,
  acting: Acting,
  orgId: string,
  agentId: string,
  request: AuditRequest,
) {
  return db.$transaction(async (tx) => {
    const agent = await findAgent(tx, orgId, agentId);
    if (!agent.quarantinedAt) return { released: false };
    await tx.agent.update({
      where: { id: agent.id },
      data: {
        quarantinedAt: null,
        quarantineReason: null,
        ...(agent.desiredState === "RUNNING" && {
          generation: { increment: 1 },
          observedState: "PENDING",
          observedReason: null,
        }),
      },
    });
    await tx.agentEvent.create({
      data: { agentId: agent.id, kind: "command", message: `released by ${acting.audit.name}` },
    });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "agent.released",
      target: agentTarget(agent),
      request,
      metadata: {
        quarantinedAt: agent.quarantinedAt.toISOString(),
        reason: agent.quarantineReason ?? "",
      },
    });
    await bumpOrgHost(tx, orgId);
    return { released: true };
  });
}

/** The gateway's latest decisions for one agent, newest first. */
export async function recentDecisions(db: Db, orgId: string, agentId: string, limit = 100) {
  const rows = await db.egressDecision.findMany({
    where: { orgId, agentId },
    orderBy: { id: "desc" },
    take: limit,
  });
  return rows.map((row) => ({ ...row, id: row.id.toString() }));
}
