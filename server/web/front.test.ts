// The web server's front over a stand-in for Next: the request id it decides is echoed to
// the client, carried by the log lines, and recorded on the audit event the request writes.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../common/logger.ts";
import { connectTestDb, makeOrg } from "../../test/db.ts";
import { recordAuditEvent } from "../audit/record.ts";
import { requestInfo } from "../auth/request-info.ts";
import { currentRequestId } from "../logging/request-id.ts";
import { parseTrustedProxies } from "./client-address.ts";
import { front } from "./front.ts";

const db = connectTestDb();
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let logged = "";
const out = new PassThrough().on("data", (chunk) => {
  logged += chunk;
});
const log = createLogger("web", {
  destination: out,
  format: "json",
  mixin: () => (currentRequestId() ? { requestId: currentRequestId() } : {}),
});
const logLines = () =>
  logged
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

let orgId = "";
/** Stands in for Next: a request that writes an audit event, as a mutation would. */
async function app(
  req: import("node:http").IncomingMessage,
  res: import("node:http").ServerResponse,
) {
  const headers = new Headers(req.headers as Record<string, string>);
  log.info("inside the request");
  await db.$transaction((tx) =>
    recordAuditEvent(tx, {
      orgId,
      actor: { type: "SYSTEM", name: "front test" },
      action: "org.updated",
      request: requestInfo(headers),
    }),
  );
  res.writeHead(204).end();
}

async function serve(trustedProxies: string | undefined): Promise<{ url: string; server: Server }> {
  const server = createServer(front(app, { trusted: parseTrustedProxies(trustedProxies), log }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const servers: Server[] = [];
beforeAll(async () => {
  orgId = (await makeOrg(db)).id;
});
afterAll(() => {
  for (const s of servers) s.close();
});

async function ask(trustedProxies: string | undefined, requestId?: string) {
  const { url, server } = await serve(trustedProxies);
  servers.push(server);
  logged = "";
  const res = await fetch(url, { headers: requestId ? { "x-request-id": requestId } : {} });
  const echoed = res.headers.get("x-request-id") ?? "";
  await new Promise((r) => setTimeout(r, 50)); // the log line is written when the socket closes
  const event = await db.auditEvent.findFirstOrThrow({
    where: { chain: orgId },
    orderBy: { seq: "desc" },
  });
  return { status: res.status, echoed, event, lines: logLines() };
}

describe("the request id", () => {
  it("is made here when a client sends one, echoed, logged and recorded on the audit event", async () => {
    const { status, echoed, event, lines } = await ask(undefined, "client-chose-this");
    expect(status).toBe(204);
    expect(echoed).toMatch(uuid);
    expect(event.requestId).toBe(echoed);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: "info", msg: "inside the request", requestId: echoed }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "info",
        msg: "request",
        requestId: echoed,
        method: "GET",
        path: "/",
        status: 204,
      }),
    );
  });

  it("is the trusted proxy's when well formed, and a new one when not", async () => {
    const kept = await ask("127.0.0.1", "lb-7f3a.42");
    expect(kept.echoed).toBe("lb-7f3a.42");
    expect(kept.event.requestId).toBe("lb-7f3a.42");
    const replaced = await ask("127.0.0.1", "x".repeat(200));
    expect(replaced.echoed).toMatch(uuid);
    expect(replaced.event.requestId).toBe(replaced.echoed);
  });
});
