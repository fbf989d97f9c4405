// How a worker proves itself: today the deployment-wide worker token; the fleet issue
// replaces it with per-host credentials from enrolment.
import { createHash, timingSafeEqual } from "node:crypto";

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/** Compares the bearer token in `authorization` with `expected` in constant time. */
export function isWorkerAuthorized(authorization: string | null, expected: string): boolean {
  const match = authorization?.match(/^Bearer\s+(\S+)$/i);
  if (!match?.[1]) return false;
  return timingSafeEqual(digest(match[1]), digest(expected));
}
