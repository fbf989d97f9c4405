// The id of one HTTP request: decided by the web server (server/web/serve.ts), echoed in the
// X-Request-Id answer header, added to every log line written while serving it, and recorded
// on the audit events the request writes (server/auth/request-info.ts).
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

/** What we accept from a proxy: short, and nothing that could break a log line or a header. */
export function validRequestId(value: string | string[] | undefined | null): value is string {
  return typeof value === "string" && /^[A-Za-z0-9._:-]{1,128}$/.test(value);
}

/** The proxy's id when it is one we trust and well-formed, otherwise a new one. */
export function decideRequestId(inbound: string | string[] | undefined, fromTrustedProxy: boolean) {
  return fromTrustedProxy && validRequestId(inbound) ? inbound : randomUUID();
}

// On globalThis: the web server and Next's server bundle each load their own copy of this
// module, and both must see the request the server is serving.
const key = Symbol.for("corral.requestContext");
const scope = globalThis as { [key]?: AsyncLocalStorage<string> };
scope[key] ??= new AsyncLocalStorage<string>();
const storage = scope[key];

export function withRequestId<T>(requestId: string, work: () => T): T {
  return storage.run(requestId, work);
}

export function currentRequestId(): string | undefined {
  return storage.getStore();
}
