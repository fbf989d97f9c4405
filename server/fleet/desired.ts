// What a host should run, and the version number workers long-poll on. Any change that
// affects a host's sandboxes bumps its version in the same transaction, so a worker that
// waits on its version learns of changes at once and pays nothing while nothing changes.

import type { EgressRule } from "../../common/egress-policy.ts";
import type { DesiredGrant, DesiredState } from "../../common/worker-protocol.ts";
import { unseal } from "../crypto/secret-box.ts";
import type { Db, Tx } from "../db/client.ts";
import { desiredChannel } from "./desired-notify.ts";

const wireIsolation = { MICROVM: "microvm", CONTAINER: "container" } as const;

/** Agents run as this user with these limits; pids is not configurable per agent yet. */
const agentPidsLimit = 256;

export async function bumpHosts(tx: Tx, hostIds: (string | null | undefined)[]) {
  const ids = [...new Set(hostIds.filter((id): id is string => Boolean(id)))];
  if (ids.length === 0) return;
  await tx.workerHost.updateMany({
    where: { id: { in: ids } },
    data: { desiredVersion: { increment: 1 } },
  });
  // Delivered when the transaction commits: waiting long-polls answer at once.
  await tx.$executeRaw`SELECT pg_notify(${desiredChannel}, id) FROM unnest(${ids}::text[]) AS id`;
}

/** After a change to an organisation's agents: wake the host holding its sandbox. */
export async function bumpOrgHost(tx: Tx, orgId: string) {
  // One statement, not a lookup, a bump and a notify: it is on every agent start's path (#15).
  await tx.$executeRaw`
    WITH bumped AS (
      UPDATE "WorkerHost" h SET "desiredVersion" = h."desiredVersion" + 1
      FROM "Sandbox" s WHERE s."orgId" = ${orgId} AND h.id = s."hostId"
      RETURNING h.id)
    SELECT pg_notify(${desiredChannel}, id) FROM bumped`;
}

export async function desiredStateFor(db: Db, hostId: string): Promise<DesiredState> {
  const host = await db.workerHost.findUniqueOrThrow({
    where: { id: hostId },
    select: {
      desiredVersion: true,
      sandboxes: {
        where: { org: { deletedAt: null } },
        orderBy: { orgId: "asc" },
        select: {
          isolation: true,
          org: {
            select: {
              id: true,
              slug: true,
              cpuQuotaMillis: true,
              memoryQuotaMb: true,
              egressCeilingOn: true,
              egressCeiling: true,
              agents: {
                orderBy: { createdAt: "asc" },
                include: { grants: { include: { secret: true }, orderBy: { createdAt: "asc" } } },
              },
            },
          },
        },
      },
    },
  });
  return {
    version: host.desiredVersion,
    sandboxes: host.sandboxes.map(({ org, isolation }) => ({
      tenantId: org.id,
      tenantSlug: org.slug,
      // Decided at placement; null (placed before it was recorded): the worker's default.
      isolation: isolation ? wireIsolation[isolation] : null,
      cpus: org.cpuQuotaMillis / 1000,
      memoryMb: org.memoryQuotaMb,
      egressCeiling: org.egressCeilingOn ? org.egressCeiling : null,
      agents: org.agents.map((a) => ({
        agentId: a.id,
        name: a.name,
        generation: a.generation,
        // A quarantined agent is stopped, whatever it should do once released.
        desiredState: a.quarantinedAt ? "STOPPED" : a.desiredState,
        image: a.image,
        command: a.command,
        env: a.env as Record<string, string>,
        cpus: a.cpuMillis / 1000,
        memoryMb: a.memoryMb,
        pids: agentPidsLimit,
        workspaceMb: a.workspaceMb,
        egress: {
          preset: a.egressPreset,
          rules: a.egressRules as EgressRule[],
          quarantined: a.quarantinedAt !== null,
        },
        // Suspended while quarantined: the gateway holds no value it could add.
        grants: a.quarantinedAt ? [] : a.grants.map(desiredGrant),
      })),
    })),
  };
}

function desiredGrant(g: {
  id: string;
  hosts: string[];
  pathPrefix: string | null;
  headerName: string;
  headerTemplate: string;
  placeholderEnv: string | null;
  secret: { id: string; name: string; version: number; valueSealed: string };
}): DesiredGrant {
  return {
    grantId: g.id,
    secretId: g.secret.id,
    secretName: g.secret.name,
    version: g.secret.version,
    value: unseal(g.secret.valueSealed),
    hosts: g.hosts,
    pathPrefix: g.pathPrefix,
    headerName: g.headerName,
    headerTemplate: g.headerTemplate,
    placeholderEnv: g.placeholderEnv,
  };
}
