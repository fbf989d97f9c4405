import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectTestDb, contextFor, makeOrg, makeUser } from "../../../test/db.ts";
import { startJobRunner } from "../../jobs/runner.ts";
import { createCaller } from "../../root-router.ts";
import { recordAuditEvent } from "../record.ts";
import { deliverWebhook } from "./deliver.ts";
import { postJson } from "./outbound.ts";
import { verifyDelivery } from "./signature.ts";

const db = connectTestDb();

/** A webhook endpoint on loopback that records what it gets and answers `status()`. */
interface Received {
  headers: IncomingMessage["headers"];
  body: string;
}
let endpoint: Server;
let endpointUrl: string;
const received: Received[] = [];
let answer: (req: IncomingMessage) => number = () => 204;

beforeAll(async () => {
  endpoint = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(answer(req)).end();
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, "127.0.0.1", resolve));
  endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((resolve) => endpoint.close(() => resolve())));

async function adminOfNewOrg() {
  const admin = await makeUser(db);
  const org = await makeOrg(db, [{ userId: admin.id, role: "ADMIN" }]);
  return { admin, org, api: createCaller(contextFor(db, admin)).auditSettings };
}

const eventsIn = (r: Received[]) =>
  r.flatMap(
    (d) => (JSON.parse(d.body) as { events: { id: string; seq: number; action: string }[] }).events,
  );

async function until(check: () => boolean | Promise<boolean>, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("audit webhooks", () => {
  it("show their signing secret once and keep it sealed at rest", async () => {
    const { org, api } = await adminOfNewOrg();
    const created = await api.createWebhook({ orgSlug: org.slug, url: endpointUrl });
    expect(created.secret).toMatch(/^whsec_[\w-]{43}$/);
    const stored = await db.auditWebhook.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored.secretSealed).not.toContain(created.secret);
    expect(stored.secretSealed).toMatch(/^v1\./);
    const listed = JSON.stringify(await api.get({ orgSlug: org.slug }));
    expect(listed).not.toContain(created.secret);
    expect(listed).not.toContain(stored.secretSealed);
    expect(
      await db.auditEvent.count({ where: { chain: org.id, action: "audit.webhook_created" } }),
    ).toBe(1);
  });

  it("deliver every new event in order, signed, through the job queue, retrying a failing endpoint", async () => {
    const { admin, org, api } = await adminOfNewOrg();
    const { id, secret } = await api.createWebhook({ orgSlug: org.slug, url: endpointUrl });
    for (let i = 0; i < 3; i++) {
      await db.$transaction((tx) =>
        recordAuditEvent(tx, {
          orgId: org.id,
          actor: { type: "USER", id: admin.id, name: admin.email },
          action: "org.updated",
          metadata: { i },
        }),
      );
    }
    // The endpoint fails twice for this webhook, then recovers.
    let calls = 0;
    answer = (req) => (req.headers["corral-webhook-id"] === id && ++calls <= 2 ? 503 : 204);
    received.length = 0;
    const runner = await startJobRunner({
      db,
      databaseUrl: process.env.DATABASE_URL ?? "",
      sweepMs: 200,
      retryDelaySeconds: 1,
      log: () => {},
    });
    try {
      // Two failures with back-off (1 s, then 2 s) and pg-boss's polling: seconds when idle,
      // much longer on a loaded machine.
      await until(
        async () => (await db.auditWebhook.findUniqueOrThrow({ where: { id } })).cursorSeq >= 4,
        60_000,
      );
    } finally {
      await runner.stop();
      answer = () => 204;
    }
    const mine = received.filter((r) => r.headers["corral-webhook-id"] === id);
    for (const r of mine)
      expect(verifyDelivery(secret, r.body, String(r.headers["corral-signature"]))).toBe(true);
    const accepted = eventsIn(mine.slice(2));
    expect(accepted.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(accepted.map((e) => e.action)).toEqual([
      "audit.webhook_created",
      "org.updated",
      "org.updated",
      "org.updated",
    ]);
    const deliveries = await db.auditWebhookDelivery.findMany({
      where: { webhookId: id },
      orderBy: { createdAt: "asc" },
    });
    expect(deliveries.map((d) => [d.outcome, d.httpStatus, d.attempt])).toEqual([
      ["FAILED", 503, 1],
      ["FAILED", 503, 2],
      ["SUCCEEDED", 204, 3],
    ]);
    const listed = (await api.get({ orgSlug: org.slug })).webhooks[0];
    expect(listed).toMatchObject({ pending: 0, consecutiveFailures: 0 });
  });

  it("do not move past events the endpoint has not accepted", async () => {
    const { org, api } = await adminOfNewOrg();
    const { id } = await api.createWebhook({ orgSlug: org.slug, url: endpointUrl });
    answer = () => 500;
    try {
      await expect(deliverWebhook(db, id)).rejects.toThrow(/HTTP 500/);
    } finally {
      answer = () => 204;
    }
    expect(await db.auditWebhook.findUniqueOrThrow({ where: { id } })).toMatchObject({
      cursorSeq: 0,
      consecutiveFailures: 1,
    });
    expect(await deliverWebhook(db, id)).toEqual({ delivered: 1, more: false });
  });

  it("refuse to reach internal addresses unless the deployment allows it", async () => {
    const viaIp = await postJson(endpointUrl, "{}", {}, { allowInternal: false });
    expect(viaIp.error).toMatch(/internal address/);
    const viaName = await postJson(
      endpointUrl.replace("127.0.0.1", "localhost"),
      "{}",
      {},
      {
        allowInternal: false,
      },
    );
    expect(viaName.error).toMatch(/internal address/);
    expect((await postJson(endpointUrl, "{}", {}, { allowInternal: true })).status).toBe(204);
  });

  it("settle a delivery whose endpoint answers and then stalls, so the queue keeps moving", async () => {
    const stalling = createServer((_req, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write("a few bytes, then nothing");
    });
    await new Promise<void>((resolve) => stalling.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(stalling.address() as AddressInfo).port}/`;
    try {
      const started = Date.now();
      expect(await postJson(url, "{}", {}, { allowInternal: true, timeoutMs: 5000 })).toMatchObject(
        {
          status: 200,
        },
      );
      expect(Date.now() - started).toBeLessThan(2000);
      const silent = createServer(() => {});
      await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
      const quiet = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
      expect(
        await postJson(quiet, "{}", {}, { allowInternal: true, timeoutMs: 500 }),
      ).toMatchObject({
        error: "no complete answer within 0.5 s",
      });
      silent.closeAllConnections();
      silent.close();
    } finally {
      stalling.closeAllConnections();
      stalling.close();
    }
  });

  it("are managed by admins only, and validate their input", async () => {
    const { org, api } = await adminOfNewOrg();
    const member = await makeUser(db);
    await db.membership.create({ data: { orgId: org.id, userId: member.id, role: "MEMBER" } });
    await expect(
      createCaller(contextFor(db, member)).auditSettings.get({ orgSlug: org.slug }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      api.createWebhook({ orgSlug: org.slug, url: "ftp://example.com" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(api.setRetention({ orgSlug: org.slug, retentionDays: 3 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await api.setRetention({ orgSlug: org.slug, retentionDays: 90 });
    expect((await api.get({ orgSlug: org.slug })).retentionDays).toBe(90);
  });

  it("purge on a schedule", async () => {
    const runner = await startJobRunner({
      db,
      databaseUrl: process.env.DATABASE_URL ?? "",
      log: () => {},
    });
    try {
      const schedules = await runner.boss.getSchedules("audit-retention");
      expect(schedules.map((s) => s.cron)).toEqual(["17 * * * *"]);
    } finally {
      await runner.stop();
    }
  });
});
