// An organisation's quotas (agents, total CPU, total memory), checked under a lock on the
// organisation's row, in the same transaction as the change that would use them.
import { DomainError } from "../../common/errors.ts";
import type { Tx } from "../db/client.ts";

export interface QuotaUse {
  agents: number;
  cpuMillis: number;
  memoryMb: number;
}

/** What `agents` use of the quotas, for a caller that has read them already. */
export function quotaUseOf(agents: { cpuMillis: number; memoryMb: number }[]): QuotaUse {
  return {
    agents: agents.length,
    cpuMillis: agents.reduce((n, a) => n + a.cpuMillis, 0),
    memoryMb: agents.reduce((n, a) => n + a.memoryMb, 0),
  };
}

export async function quotaUse(tx: Tx, orgId: string, exceptAgentId?: string): Promise<QuotaUse> {
  const agents = await tx.agent.findMany({
    where: { orgId, ...(exceptAgentId && { id: { not: exceptAgentId } }) },
    select: { cpuMillis: true, memoryMb: true },
  });
  return quotaUseOf(agents);
}

/**
 * Every change to an organisation's agents takes this lock first, so quota checks, the
 * sandbox made with the first agent and released with the last one never race.
 */
export async function lockOrg(tx: Tx, orgId: string) {
  await tx.$queryRaw`SELECT id FROM "Organization" WHERE id = ${orgId} FOR UPDATE`;
}

/** Locks the organisation and refuses a change that would take it past a quota. */
export async function checkQuota(
  tx: Tx,
  orgId: string,
  change: { agentId?: string; cpuMillis: number; memoryMb: number },
) {
  const [org] = await tx.$queryRaw<
    { agentLimit: number; cpuQuotaMillis: number; memoryQuotaMb: number }[]
  >`SELECT "agentLimit", "cpuQuotaMillis", "memoryQuotaMb" FROM "Organization" WHERE id = ${orgId} FOR UPDATE`;
  if (!org) throw new DomainError("NOT_FOUND", "No such organisation.");
  const used = await quotaUse(tx, orgId, change.agentId);
  if (!change.agentId && used.agents + 1 > org.agentLimit)
    throw new DomainError(
      "CONFLICT",
      `Your organisation may have at most ${org.agentLimit} agents.`,
    );
  if (used.cpuMillis + change.cpuMillis > org.cpuQuotaMillis)
    throw new DomainError(
      "CONFLICT",
      `That would use ${(used.cpuMillis + change.cpuMillis) / 1000} CPUs of your organisation's ${org.cpuQuotaMillis / 1000}.`,
      "cpuMillis",
    );
  if (used.memoryMb + change.memoryMb > org.memoryQuotaMb)
    throw new DomainError(
      "CONFLICT",
      `That would use ${used.memoryMb + change.memoryMb} MiB of your organisation's ${org.memoryQuotaMb} MiB.`,
      "memoryMb",
    );
}
