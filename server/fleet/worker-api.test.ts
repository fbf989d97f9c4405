// The worker API's bounds once a host is authenticated: body size and request rate.
import { describe, expect, it } from "vitest";
import { connectTestDb } from "../../test/db.ts";
import { enrolTestHost, hostReport } from "../../test/fleet.ts";
import { heartbeat, maxWorkerBodyBytes, report } from "./worker-api.ts";

const db = connectTestDb();
const unique = () => `api-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;

const post = (credential: string, body: string, headers: Record<string, string> = {}) =>
  new Request("http://localhost/api/worker/v1/report", {
    method: "POST",
    headers: {
      authorization: `Bearer ${credential}`,
      "content-type": "application/json",
      ...headers,
    },
    body,
  });

describe("the worker API", () => {
  it("refuses a body past its limit with 413, also when the length is not announced", async () => {
    const { credential } = await enrolTestHost(db, unique());
    const huge = JSON.stringify({
      logs: [{ agentId: "x", lines: [{ text: "a".repeat(maxWorkerBodyBytes) }] }],
    });
    const announced = await report(post(credential, huge));
    expect(announced.status).toBe(413);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(huge));
        controller.close();
      },
    });
    const unannounced = await report(
      new Request("http://localhost/api/worker/v1/report", {
        method: "POST",
        headers: { authorization: `Bearer ${credential}` },
        body: stream,
        duplex: "half",
      } as RequestInit),
    );
    expect(unannounced.status).toBe(413);
    expect(await unannounced.json()).toEqual({
      error: `report is larger than ${maxWorkerBodyBytes} bytes`,
    });
  });

  it("slows down a host that hammers it, with Retry-After", async () => {
    const name = unique();
    const { credential } = await enrolTestHost(db, name);
    const beat = JSON.stringify(hostReport(name));
    const answers = await Promise.all(
      Array.from({ length: 130 }, () =>
        heartbeat(
          new Request("http://localhost/api/worker/v1/heartbeat", {
            method: "POST",
            headers: { authorization: `Bearer ${credential}`, "content-type": "application/json" },
            body: beat,
          }),
        ),
      ),
    );
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status === 200).length).toBeLessThanOrEqual(100);
    expect(limited[0]?.headers.get("retry-after")).toMatch(/^\d+$/);
  });
});
