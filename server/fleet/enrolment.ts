// How hosts join the fleet: an operator makes a one-time enrolment token, optionally for one
// host name; a new worker trades it for its own host credential. Only SHA-256s of both are
// stored. Enrolling under the name of a host that is lost or revoked (a reinstall) replaces its
// credential; replacing a live host needs a token the operator made to replace it.
import { randomBytes } from "node:crypto";
import type { EnrolRequest } from "../../common/worker-protocol.ts";
import { type AuditActor, type AuditRequest, recordAuditEvent } from "../audit/record.ts";
import { ReadCache } from "../core/read-cache.ts";
import { type Db, isProcessDb, type Tx } from "../db/client.ts";
import type { WorkerHost } from "../db/generated/client.ts";
import { hashToken } from "../tokens/secret-token.ts";

export const enrolmentTokenPrefix = "crle_";
export const hostCredentialPrefix = "crlh_";

export async function createEnrolmentToken(
  db: Db,
  actor: AuditActor & { id?: string },
  input: { description: string; ttlHours: number; hostName?: string; replaceHost?: boolean },
  request: AuditRequest,
) {
  const token = `${enrolmentTokenPrefix}${randomBytes(32).toString("base64url")}`;
  const expiresAt = new Date(Date.now() + input.ttlHours * 3_600_000);
  const row = await db.$transaction(async (tx) => {
    const created = await tx.enrolmentToken.create({
      data: {
        tokenHash: hashToken(token),
        description: input.description,
        createdById: actor.id ?? null,
        expiresAt,
        hostName: input.hostName || null,
        replaceHost: Boolean(input.hostName && input.replaceHost),
      },
    });
    await recordAuditEvent(tx, {
      actor,
      action: "worker.enrolment_token_created",
      target: { type: "enrolment_token", id: created.id, name: input.description || created.id },
      request,
      metadata: {
        expiresAt: expiresAt.toISOString(),
        hostName: created.hostName ?? "any (bound at first use)",
        replaceHost: created.replaceHost,
      },
    });
    return created;
  });
  return { id: row.id, token, expiresAt };
}

export async function enrolHost(
  db: Db,
  req: EnrolRequest,
  request: AuditRequest,
  options: { deadlineSeconds?: number } = {},
) {
  const credential =
    req.credential ?? `${hostCredentialPrefix}${randomBytes(32).toString("base64url")}`;
  return db.$transaction(async (tx) => {
    // Locked, so two workers racing with one token cannot both get in.
    const [token] = await tx.$queryRaw<
      {
        id: string;
        expiresAt: Date;
        usedAt: Date | null;
        hostName: string | null;
        replaceHost: boolean;
        hostId: string | null;
      }[]
    >`
      SELECT id, "expiresAt", "usedAt", "hostName", "replaceHost", "hostId" FROM "EnrolmentToken"
      WHERE "tokenHash" = ${hashToken(req.token)} FOR UPDATE`;
    const refuse = async (why: string) => {
      await recordAuditEvent(tx, {
        actor: { type: "WORKER", name: req.name },
        action: "worker.enrolment_refused",
        outcome: "DENIED",
        request,
        metadata: { reason: why },
      });
      return { refused: why } as const;
    };
    if (!token) return refuse("unknown enrolment token");
    if (token.usedAt) {
      // The same worker asking again (its answer was lost): it holds the token and the
      // credential it chose, so it gets the host it already became. Nothing changes.
      if (req.credential && token.hostId && (await sameEnrolment(tx, token.hostId, credential)))
        return { hostId: token.hostId, credential } as const;
      return refuse("enrolment token already used");
    }
    if (token.expiresAt.getTime() <= Date.now()) return refuse("enrolment token expired");
    if (token.hostName && token.hostName !== req.name)
      return refuse(`this enrolment token is for host ${token.hostName}, not ${req.name}`);
    // A live host keeps its credential unless the operator made this token to replace it.
    const existing = await tx.workerHost.findUnique({ where: { name: req.name } });
    const deadline = (options.deadlineSeconds ?? 20) * 1000;
    const live =
      existing &&
      !existing.revokedAt &&
      !existing.lostAt &&
      Date.now() - existing.lastHeartbeatAt.getTime() < deadline;
    if (live && !token.replaceHost)
      return refuse(
        `a live host is already enrolled as ${req.name}; an operator must make a token to replace it`,
      );

    const fields = {
      version: req.version,
      labels: req.labels,
      engine: req.engine,
      driver: req.driver.name,
      driverHealthy: req.driver.healthy,
      driverReason: req.driver.reason ?? null,
      ...checkedCapacity(req),
      credentialHash: hashToken(credential),
      credentialPrefix: credential.slice(0, 10),
      revokedAt: null,
      lostAt: null,
      lastHeartbeatAt: new Date(),
    };
    const host = await tx.workerHost.upsert({
      where: { name: req.name },
      create: { name: req.name, ...fields },
      update: fields,
    });
    await tx.enrolmentToken.update({
      where: { id: token.id },
      data: { usedAt: new Date(), hostId: host.id },
    });
    await recordAuditEvent(tx, {
      actor: { type: "WORKER", id: host.id, name: host.name },
      action: "worker.enrolled",
      target: { type: "worker_host", id: host.id, name: host.name },
      request,
      metadata: {
        version: req.version,
        labels: req.labels,
        driver: req.driver.name,
        replaced: Boolean(existing),
      },
    });
    return { hostId: host.id, credential } as const;
  });
}

/** Whether the host enrolled with this token holds `credential` (and is not revoked). */
async function sameEnrolment(tx: Tx, hostId: string, credential: string): Promise<boolean> {
  const host = await tx.workerHost.findUnique({
    where: { id: hostId },
    select: { credentialHash: true, revokedAt: true },
  });
  return Boolean(host && !host.revokedAt && host.credentialHash === hashToken(credential));
}

/**
 * Hosts by credential, kept in memory: every heartbeat, long-poll and report authenticates,
 * and a thousand hosts make hundreds of those a second. A revocation, a new credential or a
 * change of what placement trusts drops the copy (the `host:<id>` change feed). The copy's
 * desired version may trail the row; the long-poll reads the row before it waits.
 */
const hostsByCredential = new ReadCache<WorkerHost>(
  { ttlMs: 60_000, maxEntries: 20_000 },
  isProcessDb,
);

/** The host presenting `authorization` (Bearer host credential), if enrolled and not revoked. */
export async function authenticateHost(db: Db, authorization: string | null) {
  const match = authorization?.match(/^Bearer\s+(crlh_\S+)$/);
  if (!match?.[1]) return null;
  const credentialHash = hashToken(match[1]);
  const host = await hostsByCredential.read(db, credentialHash, async () => {
    const row = await db.workerHost.findUnique({ where: { credentialHash } });
    return row && { value: row, tags: [`host:${row.id}`] };
  });
  return host && !host.revokedAt ? host : null;
}

/**
 * What a host may be given: its driver's capacity, never more than its engine says the
 * machine has (a host cannot claim room it does not have and draw the fleet's tenants).
 */
export function checkedCapacity(report: {
  engine: { cpus: number; memoryBytes: number };
  driver: { capacity: { cpus: number; memoryMb: number } };
}) {
  const cpus = Math.min(report.driver.capacity.cpus, report.engine.cpus);
  const memoryMb = Math.min(
    report.driver.capacity.memoryMb,
    Math.floor(report.engine.memoryBytes / (1024 * 1024)),
  );
  return { capacityMillis: Math.round(cpus * 1000), capacityMemoryMb: memoryMb };
}
