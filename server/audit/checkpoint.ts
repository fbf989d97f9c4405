// Signed checkpoints: what a retention purge leaves behind so the rest of the chain still
// verifies. Only a holder of the deployment's key can sign one, so a database owner who
// deletes events and writes a checkpoint to cover them is caught by verification.
import { createHmac, timingSafeEqual } from "node:crypto";
import { deriveKey } from "../crypto/keys.ts";
import { canonicalJson } from "./canonical-json.ts";

export interface CheckpointFields {
  chain: string;
  throughSeq: number;
  throughHash: string;
  purgedCount: number;
  createdAt: Date;
}

export function signCheckpoint(c: CheckpointFields, key = deriveKey("audit-checkpoint")): string {
  const body = canonicalJson({
    chain: c.chain,
    throughSeq: c.throughSeq,
    throughHash: c.throughHash,
    purgedCount: c.purgedCount,
    createdAt: c.createdAt.toISOString(),
  });
  return createHmac("sha256", key).update(body).digest("hex");
}

export function checkpointSignatureValid(
  c: CheckpointFields & { signature: string },
  key = deriveKey("audit-checkpoint"),
): boolean {
  const expected = Buffer.from(signCheckpoint(c, key), "hex");
  const found = Buffer.from(c.signature, "hex");
  return expected.length === found.length && timingSafeEqual(expected, found);
}
