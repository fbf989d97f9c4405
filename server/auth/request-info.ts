// Who is asking, as far as the request headers tell: recorded with sessions and audit events.
import { randomUUID } from "node:crypto";
import type { AuditRequest } from "../audit/record.ts";

export function requestInfo(headers: Headers): Required<AuditRequest> {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return {
    ipAddress: forwarded || headers.get("x-real-ip") || null,
    userAgent: headers.get("user-agent")?.slice(0, 512) ?? null,
    requestId: headers.get("x-request-id") ?? randomUUID(),
  };
}
