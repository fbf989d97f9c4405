// The only way audit events are written. Callers pass their transaction so events commit or
// roll back with the action they describe, and a failed write fails the action. One event
// (a mutation) and a batch (a worker's report of egress denials) take the same path.

import { randomUUID } from "node:crypto";
import { auditAppendSeconds } from "../../common/metrics.ts";
import type { Tx } from "../db/client.ts";
import type { ActorType, AuditOutcome } from "../db/generated/enums.ts";
import type { InputJsonValue } from "../db/generated/internal/prismaNamespace.ts";
import type { AuditAction } from "./actions.ts";
import { type ChainedFields, eventHash, genesisHash, platformChain } from "./chain.ts";

export type { AuditAction } from "./actions.ts";

export interface AuditActor {
  type: ActorType;
  id?: string;
  name: string;
}

export interface AuditRequest {
  ipAddress?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

export interface AuditEventInput {
  orgId?: string | null;
  actor: AuditActor;
  action: AuditAction;
  target?: { type: string; id: string; name?: string };
  outcome?: AuditOutcome;
  request?: AuditRequest;
  metadata?: Record<string, InputJsonValue>;
  /** When it happened, if not now (a worker reporting what it saw a moment ago). */
  occurredAt?: Date;
}

export async function recordAuditEvent(tx: Tx, event: AuditEventInput): Promise<void> {
  await appendAuditEvents(tx, [event]);
}

interface ChainHead {
  chain: string;
  seq: number;
  hash: string;
}

/**
 * Appends events to their chains, in the order given within each chain. A transaction-scoped
 * advisory lock per chain makes concurrent writers take turns, so no chain ever forks; locks
 * are taken in sorted order (no deadlocks between batches) and released when the caller's
 * transaction ends. Three statements, whatever the batch size: lock, read heads, insert.
 */
export async function appendAuditEvents(tx: Tx, events: AuditEventInput[]): Promise<void> {
  if (events.length === 0) return;
  const timer = auditAppendSeconds().startTimer();
  try {
    await appendToChains(tx, events);
  } finally {
    timer();
  }
}

async function appendToChains(tx: Tx, events: AuditEventInput[]): Promise<void> {
  const chains = [...new Set(events.map((e) => e.orgId ?? platformChain))].sort();
  await tx.$executeRaw`
    SELECT pg_advisory_xact_lock(hashtextextended('audit:' || c, 0))
    FROM unnest(${chains}::text[]) WITH ORDINALITY AS t(c, n) ORDER BY n`;
  // The head is the last event, or after a retention purge of everything, the checkpoint.
  const heads = await tx.$queryRaw<ChainHead[]>`
    SELECT c.chain,
           COALESCE(e.seq, k."throughSeq", 0) AS seq,
           COALESCE(e.hash, k."throughHash", ${genesisHash}) AS hash
    FROM unnest(${chains}::text[]) AS c(chain)
    LEFT JOIN LATERAL (
      SELECT seq, hash FROM "AuditEvent"
      WHERE chain = c.chain AND seq IS NOT NULL ORDER BY seq DESC LIMIT 1
    ) e ON true
    LEFT JOIN LATERAL (
      SELECT "throughSeq", "throughHash" FROM "AuditCheckpoint"
      WHERE chain = c.chain ORDER BY "throughSeq" DESC LIMIT 1
    ) k ON true`;
  const head = new Map(heads.map((h) => [h.chain, { seq: h.seq, hash: h.hash }]));

  const now = new Date();
  const rows = events.map((event) => {
    const chain = event.orgId ?? platformChain;
    const last = head.get(chain) ?? { seq: 0, hash: genesisHash };
    const fields: ChainedFields = {
      id: randomUUID(),
      chain,
      seq: last.seq + 1,
      orgId: event.orgId ?? null,
      occurredAt: event.occurredAt ?? now,
      actorType: event.actor.type,
      actorId: event.actor.id ?? null,
      actorName: event.actor.name,
      action: event.action,
      targetType: event.target?.type ?? null,
      targetId: event.target?.id ?? null,
      targetName: event.target?.name ?? null,
      outcome: event.outcome ?? "SUCCESS",
      ipAddress: event.request?.ipAddress ?? null,
      userAgent: event.request?.userAgent ?? null,
      requestId: event.request?.requestId ?? null,
      metadata: event.metadata ?? {},
    };
    const hash = eventHash(last.hash, fields);
    head.set(chain, { seq: fields.seq, hash });
    return { ...fields, prevHash: last.hash, hash };
  });

  // One INSERT of column arrays: the cost per row is the row, not a round trip.
  const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k]);
  await tx.$executeRaw`
    INSERT INTO "AuditEvent" (id, chain, seq, "prevHash", hash, "orgId", "occurredAt",
      "actorType", "actorId", "actorName", action, "targetType", "targetId", "targetName",
      outcome, "ipAddress", "userAgent", "requestId", metadata)
    SELECT * FROM unnest(
      ${col("id")}::text[], ${col("chain")}::text[], ${col("seq")}::int[],
      ${col("prevHash")}::text[], ${col("hash")}::text[], ${col("orgId")}::text[],
      ${rows.map((r) => r.occurredAt.toISOString())}::timestamp(3)[],
      ${col("actorType")}::"ActorType"[], ${col("actorId")}::text[], ${col("actorName")}::text[],
      ${col("action")}::text[], ${col("targetType")}::text[], ${col("targetId")}::text[],
      ${col("targetName")}::text[], ${col("outcome")}::"AuditOutcome"[],
      ${col("ipAddress")}::text[], ${col("userAgent")}::text[], ${col("requestId")}::text[],
      ${rows.map((r) => JSON.stringify(r.metadata))}::jsonb[])`;
}
