// Agents: their spec, what should be (desired state) and what a host last saw (observed).
// Every change is audited in its own transaction and wakes the host holding the sandbox;
// an organisation's first agent gives it a sandbox, placed at once when a host has room.

import { DomainError } from "../../common/errors.ts";
import { type AuditRequest, recordAuditEvent } from "../audit/record.ts";
import type { Acting } from "../auth/acting.ts";
import { webConfig } from "../core/config.ts";
import type { Db, Tx } from "../db/client.ts";
import { withSystemScope } from "../db/tenant-scope.ts";
import { placeSandboxes } from "../fleet/controller.ts";
import { bumpOrgHost } from "../fleet/desired.ts";
import { ensureHostHasRoom, lockPlacement } from "../fleet/reservations.ts";
import { checkQuota, lockOrg } from "./quotas.ts";
import type { CreateAgentInput, UpdateAgentInput } from "./schemas.ts";

async function findAgent(tx: Tx | Db, orgId: string, agentId: string) {
  const agent = await tx.agent.findFirst({ where: { id: agentId, orgId } });
  if (!agent) throw new DomainError("NOT_FOUND", "That agent does not exist (any more).");
  return agent;
}

/**
 * The organisation's sandbox, created and placed with its first agent; with later agents,
 * its host must have room for what they add. Both weigh every tenant's sandboxes on the
 * fleet, so they look past this tenant's scope.
 */
async function ensureSandbox(tx: Tx, orgId: string, requestsGrew = true) {
  if (await tx.sandbox.findUnique({ where: { orgId } })) {
    // A command changes no request, so there is no room to check, and no reason to wait on
    // the fleet's placement lock (held by the controller's whole pass; taken after this
    // organisation's audit lock, it deadlocked against a pass moving this sandbox).
    if (requestsGrew) await withSystemScope(tx, () => ensureHostHasRoom(tx, orgId));
    return;
  }
  await tx.sandbox.create({ data: { orgId } });
  await withSystemScope(tx, () =>
    placeSandboxes(tx, { deadlineSeconds: webConfig().CORRAL_WORKER_DEADLINE_SECONDS }),
  );
}

const specOf = (a: {
  image: string;
  command: string[];
  env: unknown;
  cpuMillis: number;
  memoryMb: number;
  workspaceMb: number;
}) => ({
  image: a.image,
  command: a.command,
  env: a.env as Record<string, string>,
  cpuMillis: a.cpuMillis,
  memoryMb: a.memoryMb,
  workspaceMb: a.workspaceMb,
});

export async function createAgent(
  db: Db,
  acting: Acting,
  orgId: string,
  input: CreateAgentInput,
  request: AuditRequest,
) {
  if (!acting.user.emailVerified)
    throw new DomainError(
      "FORBIDDEN",
      "Confirm your email address before creating agents: open the link we sent you.",
    );
  return db.$transaction(async (tx) => {
    // Placement before the organisation's locks, always (lockPlacement says why).
    await lockPlacement(tx);
    await checkQuota(tx, orgId, { cpuMillis: input.cpuMillis, memoryMb: input.memoryMb });
    if (await tx.agent.findUnique({ where: { orgId_name: { orgId, name: input.name } } }))
      throw new DomainError("CONFLICT", `An agent named ${input.name} already exists.`, "name");
    const agent = await tx.agent.create({
      data: {
        orgId,
        name: input.name,
        ...specOf(input),
        desiredState: input.start ? "RUNNING" : "STOPPED",
        observedState: input.start ? "PENDING" : "STOPPED",
      },
    });
    await tx.agentEvent.create({
      data: { agentId: agent.id, kind: "spec", message: `created by ${acting.audit.name}` },
    });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "agent.created",
      target: { type: "agent", id: agent.id, name: agent.name },
      request,
      metadata: { after: { ...specOf(agent), desiredState: agent.desiredState } },
    });
    await ensureSandbox(tx, orgId);
    await bumpOrgHost(tx, orgId);
    return agent;
  });
}

export async function updateAgent(
  db: Db,
  acting: Acting,
  orgId: string,
  input: UpdateAgentInput,
  request: AuditRequest,
) {
  return db.$transaction(async (tx) => {
    await lockPlacement(tx); // before the organisation's locks: a grown agent weighs its host
    const before = await findAgent(tx, orgId, input.agentId);
    // Only spec fields (the input also carries orgSlug and agentId); unset ones stay.
    const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
    const next = specOf({ ...specOf(before), ...given });
    await checkQuota(tx, orgId, {
      agentId: before.id,
      cpuMillis: next.cpuMillis,
      memoryMb: next.memoryMb,
    });
    if (JSON.stringify(next) === JSON.stringify(specOf(before))) return before;
    const after = await tx.agent.update({
      where: { id: before.id },
      data: { ...next, env: next.env as object, generation: { increment: 1 } },
    });
    await tx.agentEvent.create({
      data: {
        agentId: after.id,
        kind: "spec",
        message: `spec changed by ${acting.audit.name} (generation ${after.generation})`,
      },
    });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "agent.updated",
      target: { type: "agent", id: after.id, name: after.name },
      request,
      metadata: { before: specOf(before), after: specOf(after), generation: after.generation },
    });
    if (after.cpuMillis > before.cpuMillis || after.memoryMb > before.memoryMb)
      await withSystemScope(tx, () => ensureHostHasRoom(tx, orgId));
    await bumpOrgHost(tx, orgId);
    return after;
  });
}

export type AgentCommand = "start" | "stop" | "restart";

export async function commandAgent(
  db: Db,
  acting: Acting,
  orgId: string,
  agentId: string,
  command: AgentCommand,
  request: AuditRequest,
) {
  return db.$transaction(async (tx) => {
    // Only a tenant without a sandbox is placed by a command; then placement's lock goes first.
    const placed = await tx.sandbox.findUnique({ where: { orgId }, select: { id: true } });
    if (!placed) await lockPlacement(tx);
    await lockOrg(tx, orgId);
    const agent = await findAgent(tx, orgId, agentId);
    if (agent.quarantinedAt && command !== "stop")
      throw new DomainError(
        "CONFLICT",
        `${agent.name} is quarantined: an admin must release it before it runs again.`,
      );
    const updated = await tx.agent.update({
      where: { id: agent.id },
      data:
        command === "stop"
          ? { desiredState: "STOPPED" }
          : {
              desiredState: "RUNNING",
              // Each run is a fresh container (the workspace volume stays): a restart, or a
              // start after a stop, is a new generation.
              ...((command === "restart" || agent.desiredState === "STOPPED") && {
                generation: { increment: 1 },
              }),
              ...(agent.observedState === "STOPPED" || agent.observedState === "FAILED"
                ? { observedState: "PENDING", observedReason: null }
                : {}),
            },
    });
    await tx.agentEvent.create({
      data: {
        agentId: agent.id,
        kind: "command",
        message: `${command} requested by ${acting.audit.name}`,
      },
    });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: `agent.${command}_requested`,
      target: { type: "agent", id: agent.id, name: agent.name },
      request,
      metadata: {
        before: { desiredState: agent.desiredState },
        after: { desiredState: updated.desiredState },
      },
    });
    // Every start pays for each statement here (#15): a placed tenant skips the sandbox's
    // second lookup.
    if (!placed) await ensureSandbox(tx, orgId, false);
    await bumpOrgHost(tx, orgId);
    return updated;
  });
}

export async function deleteAgent(
  db: Db,
  acting: Acting,
  orgId: string,
  agentId: string,
  confirmName: string,
  request: AuditRequest,
) {
  await db.$transaction(async (tx) => {
    await lockOrg(tx, orgId);
    const agent = await findAgent(tx, orgId, agentId);
    if (confirmName.trim() !== agent.name)
      throw new DomainError(
        "BAD_REQUEST",
        `Type the agent's name, ${agent.name}, to confirm.`,
        "confirmName",
      );
    // Its host sees it gone from the desired state and removes the container and workspace.
    await bumpOrgHost(tx, orgId);
    await tx.agent.delete({ where: { id: agent.id } });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "agent.deleted",
      target: { type: "agent", id: agent.id, name: agent.name },
      request,
      metadata: { before: specOf(agent) },
    });
    // The last agent gone: the sandbox is released too.
    if ((await tx.agent.count({ where: { orgId } })) === 0) {
      const released = await tx.sandbox.deleteMany({ where: { orgId } });
      if (released.count > 0)
        await recordAuditEvent(tx, {
          orgId,
          actor: acting.audit,
          action: "sandbox.released",
          target: { type: "sandbox", id: orgId },
          request,
          metadata: { reason: "the organisation's last agent was deleted" },
        });
    }
  });
}
