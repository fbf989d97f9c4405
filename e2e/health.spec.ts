import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { baseURL } from "../playwright.config.ts";
import { demoUser, signIn, sql } from "./helpers.ts";

test("npm run up serves the web app on loopback only", () => {
  const port = new URL(baseURL).port;
  // Read the listening socket itself (no traffic to other addresses needed).
  const listening = execFileSync("ss", ["-ltnH", `sport = :${port}`], { encoding: "utf8" });
  const local = listening
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[3]);
  expect(local.length).toBeGreaterThan(0);
  for (const address of local)
    expect(address).toMatch(/^(127\.0\.0\.1|\[::1\]|\[::ffff:127\.0\.0\.1\]):/);
});

test("health says the database and a worker are up to anyone, and names hosts only to operators", async ({
  request,
  page,
}) => {
  await expect(async () => {
    const res = await request.get("/api/health");
    expect(res.status()).toBe(200);
    const body = await res.json();
    expect(body).toEqual({
      status: "ok",
      database: { ok: true },
      workers: { live: 1, total: 1, deadlineSeconds: 20 },
    });
  }).toPass({ timeout: 15_000 });
  // Signed out, the detail is refused; the demo user (an operator) sees the host and engine.
  expect((await request.get("/api/trpc/health.detail")).status()).toBe(401);
  await signIn(page);
  await expect(page.getByTestId("page-title")).toBeVisible();
  const detail = await (await page.request.get("/api/trpc/health.detail")).json();
  expect(detail.result.data.json.workers.hosts).toEqual([
    expect.objectContaining({
      name: "e2e-worker",
      live: true,
      engineVersion: expect.stringMatching(/^\d+\./),
    }),
  ]);
});

test("the worker API refuses a wrong credential and a malformed enrolment clearly", async ({
  request,
}) => {
  const refused = await request.post("/api/worker/v1/heartbeat", {
    headers: { authorization: "Bearer crlh_wrong" },
    data: {},
  });
  expect(refused.status()).toBe(401);
  expect(await refused.json()).toEqual({ error: "host credential refused: enrol this host again" });

  const malformed = await request.post("/api/worker/v1/enrol", {
    data: { name: "bad name!", version: "1", engine: {}, token: "x" },
  });
  expect(malformed.status()).toBe(400);
  expect((await malformed.json()).error).toMatch(/^invalid enrolment: name: letters, digits/);
});

test("the API refuses a signed-out caller with a message, not a stack trace", async ({
  request,
}) => {
  const res = await request.get("/api/trpc/accounts.me");
  expect(res.status()).toBe(401);
  const text = await res.text();
  expect(JSON.parse(text).error.json.message).toBe("Sign in to continue.");
  expect(text).not.toMatch(/at .*\.(ts|js):\d+/);
});

test("every page says it may not be framed, sniffed or leak its address", async ({ request }) => {
  const res = await request.get("/sign-in");
  const headers = res.headers();
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["content-security-policy"]).toContain("default-src 'self'");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["referrer-policy"]).toBe("same-origin");
  // Served over plain http here: no HSTS, which would lock browsers out of it.
  expect(headers["strict-transport-security"]).toBeUndefined();
});

test("a forged X-Forwarded-For does not change who the server says signed in", async ({ page }) => {
  const since = new Date();
  await page.setExtraHTTPHeaders({
    "x-forwarded-for": "203.0.113.66",
    "x-real-ip": "203.0.113.67",
  });
  await signIn(page);
  await expect(page.getByTestId("page-title")).toBeVisible();
  const [session] = await sql(
    `SELECT s."ipAddress" FROM "Session" s JOIN "User" u ON u.id = s."userId"
     WHERE u.email = $1 AND s."createdAt" >= $2 ORDER BY s."createdAt" DESC LIMIT 1`,
    [demoUser.email, since],
  );
  // The TCP peer (Playwright on loopback), not the address the client claimed.
  expect(session?.ipAddress).toBe("127.0.0.1");
});

test("readiness says the web app may take traffic, and names its checks", async ({ request }) => {
  const res = await request.get("/api/ready");
  expect(res.status()).toBe(200);
  expect(await res.json()).toEqual({
    ready: true,
    checks: { database: true, migrations: true, queue: true },
  });
});

// Each process's series, and the port it serves them on (playwright.config.ts).
const expectedSeries: [process: string, port: number, line: RegExp][] = [
  ["web", 9474, /^corral_http_request_duration_seconds_count\{.*route="trpc".*\} [1-9]/],
  [
    "web",
    9474,
    /^corral_http_request_duration_seconds_count\{.*route="page".*status="200"\} [1-9]/,
  ],
  ["web", 9474, /^corral_audit_append_duration_seconds_count [1-9]/],
  // The demo agents, in whatever state their host last saw.
  ["web", 9474, /^corral_agents\{state="[a-z_]+"\} [1-9]/],
  ["web", 9474, /^corral_workers_live 1$/],
  ["jobs", 9475, /^corral_job_queue_depth\{queue="audit-retention",state="queued"\} \d+$/],
  ["worker", 9476, /^corral_reconcile_duration_seconds_count [1-9]/],
  ["worker", 9476, /^corral_gateway_requests_total\{outcome="denied"\} \d+$/],
];

test("the web app, the job runner and the worker each serve their Prometheus series", async ({
  page,
}) => {
  test.setTimeout(90_000);
  // Some traffic first, so request and audit series have something to count.
  await signIn(page);
  await expect(page.getByTestId("page-title")).toBeVisible({ timeout: 30_000 });
  await expect(async () => {
    for (const [name, port, line] of expectedSeries) {
      const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const found = body.split("\n").some((l) => line.test(l));
      expect(found, `${name} (:${port}) has a line matching ${line}`).toBe(true);
    }
  }).toPass({ timeout: 30_000 });
});
