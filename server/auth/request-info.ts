// Who is asking, as far as the request headers tell: recorded with sessions and audit events.
import { randomUUID } from "node:crypto";
import type { AuditRequest } from "../audit/record.ts";
import { validRequestId } from "../logging/request-id.ts";

/**
 * The client address is the last X-Forwarded-For entry: the one added by the reverse proxy
 * in front of Corral (or by Next.js itself when there is none). Entries before it are
 * whatever the client claimed, so they are never trusted.
 */
export function requestInfo(headers: Headers): Required<AuditRequest> {
  const forwarded = headers.get("x-forwarded-for")?.split(",").at(-1)?.trim();
  return {
    ipAddress: forwarded || headers.get("x-real-ip") || null,
    userAgent: headers.get("user-agent")?.slice(0, 512) ?? null,
    // Decided by the web server (server/web/serve.ts); a malformed one (`next dev` passes on
    // whatever the client sent) is replaced.
    requestId: validRequestId(headers.get("x-request-id"))
      ? (headers.get("x-request-id") as string)
      : randomUUID(),
  };
}
