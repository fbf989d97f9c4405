import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { baseURL } from "../playwright.config.ts";

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

test("health reports the database and the live local worker with its engine", async ({
  request,
}) => {
  await expect(async () => {
    const res = await request.get("/api/health");
    expect(res.status()).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: "ok", database: { ok: true }, workers: { live: 1 } });
    expect(body.workers.hosts).toEqual([
      expect.objectContaining({
        name: "e2e-worker",
        live: true,
        engineVersion: expect.stringMatching(/^\d+\./),
      }),
    ]);
  }).toPass({ timeout: 15_000 });
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
