// The hash chain: which fields an event's hash covers, and how it links to the one before.
import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json.ts";

export const genesisHash = "0".repeat(64);
export const platformChain = "platform";

/** Everything about an event that its hash vouches for. */
export interface ChainedFields {
  id: string;
  chain: string;
  seq: number;
  orgId: string | null;
  occurredAt: Date;
  actorType: string;
  actorId: string | null;
  actorName: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  targetName: string | null;
  outcome: string;
  ipAddress: string | null;
  userAgent: string | null;
  requestId: string | null;
  metadata: unknown;
}

export function eventHash(prevHash: string, e: ChainedFields): string {
  const body = canonicalJson({
    id: e.id,
    chain: e.chain,
    seq: e.seq,
    orgId: e.orgId,
    occurredAt: e.occurredAt.toISOString(),
    actorType: e.actorType,
    actorId: e.actorId,
    actorName: e.actorName,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    targetName: e.targetName,
    outcome: e.outcome,
    ipAddress: e.ipAddress,
    userAgent: e.userAgent,
    requestId: e.requestId,
    metadata: e.metadata,
  });
  return createHash("sha256").update(prevHash).update(body).digest("hex");
}
