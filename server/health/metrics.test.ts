// The web process's Prometheus series, from the real code paths that feed them.
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { serveMetrics } from "../../common/metrics.ts";
import { connectTestDb, makeOrg } from "../../test/db.ts";
import { recordAuditEvent } from "../audit/record.ts";
import { routeKind } from "../web/route-kind.ts";
import { registerControlPlaneGauges } from "./gauges.ts";

const db = connectTestDb();

describe("metrics", () => {
  let url = "";
  const serving = serveMetrics(0, "127.0.0.1").then((server) => {
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return server;
  });
  afterAll(async () => (await serving).close());

  it("counts audit appends and reads fleet counts from the database at scrape time", async () => {
    await serving;
    const org = await makeOrg(db);
    await db.agent.create({
      data: {
        orgId: org.id,
        name: "m",
        image: "busybox",
        command: [],
        cpuMillis: 100,
        memoryMb: 64,
        workspaceMb: 10,
      },
    });
    await db.$transaction((tx) =>
      recordAuditEvent(tx, {
        orgId: org.id,
        actor: { type: "SYSTEM", name: "metrics test" },
        action: "org.updated",
      }),
    );
    registerControlPlaneGauges(db, 20);
    const body = await (await fetch(`${url}/metrics`)).text();
    expect(body).toMatch(/^corral_audit_append_duration_seconds_count [1-9]\d*$/m);
    expect(body).toMatch(/^corral_agents\{state="stopped"\} [1-9]\d*$/m);
    expect(body).toMatch(/^# TYPE corral_tasks gauge$/m);
    expect(body).toMatch(/^corral_workers_live \d+$/m);
    expect((await fetch(`${url}/other`)).status).toBe(404);
  });

  it.each([
    ["/api/trpc/agents.list?batch=1", "trpc"],
    ["/api/auth/session", "auth"],
    ["/api/worker/v1/tasks/next", "task-contract"],
    ["/api/worker/v1/heartbeat", "worker-api"],
    ["/api/orgs/acme/audit/export?format=csv", "audit-export"],
    ["/api/health", "health"],
    ["/_next/static/chunks/x.js", "static"],
    ["/o/acme/agents/cm123", "page"],
    ["/api/whatever/random/123", "api-other"],
  ])("labels %s as %s", (path, kind) => {
    expect(routeKind(path)).toBe(kind);
  });
});
