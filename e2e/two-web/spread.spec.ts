// Two web processes behind a round-robin balancer (playwright.two-web.config.ts): one person's
// session, tRPC calls, live streams, audit exports and the worker's long-polls all work
// whichever process answers, and each process answers each kind of request.
import { expect, type Page, test } from "@playwright/test";
import { baseURL, webMetricsPort } from "../../playwright.two-web.config.ts";
import { signIn, sql } from "../helpers.ts";

type Stats = Record<string, number>[];

async function stats(): Promise<Stats> {
  return (await fetch(`${baseURL}/.balancer/stats`)).json() as Promise<Stats>;
}

/** Each web process's own count of the requests it answered, from its /metrics. */
async function answered(process: number, route?: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${webMetricsPort + process}/metrics`)).text();
  let total = 0;
  for (const line of text.split("\n"))
    if (
      line.startsWith("corral_http_request_duration_seconds_count{") &&
      (!route || line.includes(`route="${route}"`))
    )
      total += Number(line.split(" ").at(-1));
  return total;
}

/** Repeats `step` until the balancer has sent `kind` to both processes (at most `tries`). */
async function untilBothServe(kind: string, tries: number, step: () => Promise<void>) {
  for (let i = 0; i < tries; i++) {
    await step();
    const now = await stats();
    if (now.every((perProcess) => (perProcess[kind] ?? 0) > 0)) return;
  }
  expect((await stats()).map((perProcess) => perProcess[kind] ?? 0)).not.toContain(0);
}

async function openAgents(page: Page) {
  await page.goto("/o/acme/agents");
  await expect(page.getByTestId("page-title")).toHaveText("Agents");
  // Signed in on whichever process served the page, and its live stream is open.
  await expect(page.getByTestId("live-indicator")).toHaveText("live");
}

test("one session, tRPC, live streams, exports and worker long-polls, served by both web processes", async ({
  page,
}) => {
  await signIn(page);
  await expect(page).toHaveURL(/\/o\/acme/);

  // Pages, their tRPC queries and their live streams, from both processes.
  await untilBothServe("live-stream", 8, () => openAgents(page));
  for (const kind of ["page", "trpc"])
    expect((await stats()).map((perProcess) => perProcess[kind] ?? 0)).not.toContain(0);

  // A change made through one process reaches a live page whichever process streams it.
  const name = `spread-${Date.now().toString(36)}`;
  const created = await page.request.post("/api/trpc/agents.create", {
    data: {
      json: {
        orgSlug: "acme",
        name,
        image: "corral/agent-base:latest",
        cpuMillis: 100,
        memoryMb: 64,
        workspaceMb: 64,
      },
    },
  });
  expect(created.status(), await created.text()).toBe(200);
  // Every answer names its request (behind the balancer, the balancer's id is kept), and so
  // does the audit event the request wrote.
  const requestId = created.headers()["x-request-id"];
  expect(requestId).toMatch(/^lb-[0-9a-f-]{36}$/);
  expect(
    await sql(`SELECT "requestId" FROM "AuditEvent" WHERE action = $1 AND "targetName" = $2`, [
      "agent.created",
      name,
    ]),
  ).toEqual([{ requestId }]);
  await expect(page.getByTestId("agent-row").filter({ hasText: name })).toBeVisible();

  // Audit exports stream from either process, with the session made on one of them.
  await untilBothServe("audit-export", 8, async () => {
    const res = await page.request.get("/api/orgs/acme/audit/export?format=ndjson");
    expect(res.status()).toBe(200);
    const actions = (await res.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line).action as string);
    expect(actions).toContain("agent.created");
  });

  // The worker's heartbeats and desired-state long-polls are answered by both.
  await expect
    .poll(async () => [await answered(0, "worker-api"), await answered(1, "worker-api")], {
      timeout: 60_000,
    })
    .not.toContain(0);

  // And the load really was shared: each process answered a fair part of it.
  const [first, second] = [await answered(0), await answered(1)];
  test.info().annotations.push({
    type: "requests answered",
    description: `web-1 ${first}, web-2 ${second}; balancer ${JSON.stringify(await stats())}`,
  });
  expect(first).toBeGreaterThan(20);
  expect(second).toBeGreaterThan(20);
});
