// A worker one protocol version behind keeps working against this control plane: the
// conversation recorded from the previous version's worker (v1.conversation.json, made by
// record.ts) is replayed byte for byte over HTTP against today's worker API handlers on a
// real database. Every answer must keep its status, parse with the schemas that worker was
// built with (v1-responses.ts), and keep every field it had, with the same type.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  oldestWorkerProtocolVersion,
  workerApiBase,
  workerProtocolHeader,
  workerProtocolVersion,
} from "../../../common/worker-protocol.ts";
import { connectTestDb } from "../../../test/db.ts";
import { startWorkerApiServer } from "../../../test/worker-api-server.ts";
import type { Conversation } from "./conversation.ts";
import { enrolmentToken, newPool, placeAgent } from "./scenario.ts";
import { v1ResponseSchemas } from "./v1-responses.ts";

const db = connectTestDb();
let server: Awaited<ReturnType<typeof startWorkerApiServer>>;
beforeAll(async () => {
  server = await startWorkerApiServer();
});
afterAll(() => server?.stop());

/** Each leaf's type by its path, arrays by their first element: what a reader relies on. */
function shape(value: unknown, at = "", out = new Map<string, string>()) {
  if (Array.isArray(value)) {
    out.set(at, "array");
    if (value.length > 0) shape(value[0], `${at}[]`, out);
  } else if (value !== null && typeof value === "object") {
    out.set(at, "object");
    for (const [key, v] of Object.entries(value)) shape(v, `${at}.${key}`, out);
  } else out.set(at, value === null ? "null" : typeof value);
  return out;
}

const fill = (text: string, values: Record<string, string>) =>
  text.replace(/\$(\w+)/g, (whole, name: string) => values[name] ?? whole);

describe("a worker one protocol version behind", () => {
  it("is the version before this one", () => {
    expect(oldestWorkerProtocolVersion).toBe(workerProtocolVersion - 1);
    expect(oldestWorkerProtocolVersion).toBe(1);
  });

  it("enrols, heartbeats, long-polls, reports and asks for work as it always did", async () => {
    const recorded = JSON.parse(
      await readFile(path.join(import.meta.dirname, "v1.conversation.json"), "utf8"),
    ) as Conversation;
    expect(recorded.protocolVersion).toBe(oldestWorkerProtocolVersion);
    const pool = newPool();
    const values: Record<string, string> = { token: await enrolmentToken(db), pool };
    let replayed = 0;
    for (const exchange of recorded.exchanges) {
      if ("operator" in exchange) {
        Object.assign(values, await placeAgent(db, pool));
        continue;
      }
      const { request, response } = exchange;
      const route = `${request.method} ${request.path.split("?")[0]}`;
      const answer = await fetch(`${server.url}${workerApiBase}/${fill(request.path, values)}`, {
        method: request.method,
        headers: {
          ...request.headers,
          ...(values.credential && { authorization: `Bearer ${values.credential}` }),
        },
        ...(request.body !== undefined && {
          body: fill(JSON.stringify(request.body), values),
        }),
      });
      const text = await answer.text();
      expect(answer.status, `${route}: ${text}`).toBe(response.status);
      if (response.body === undefined) continue;
      const body: unknown = JSON.parse(text);
      const schema = v1ResponseSchemas[route];
      if (schema) {
        const parsed = schema.safeParse(body);
        expect(parsed.success, `${route}: ${parsed.error?.message}`).toBe(true);
      }
      const live = shape(body);
      for (const [field, type] of shape(response.body))
        expect(live.get(field), `${route}: field ${field || "(body)"}`).toBe(type);
      // The next requests speak for the host this conversation enrolled.
      if (route === "POST enrol") Object.assign(values, body as Record<string, string>);
      if (route === "GET desired") values.version = String((body as { version: number }).version);
      replayed++;
    }
    // enrol, heartbeat, desired and report answer with bodies; the rest with a status only.
    expect(replayed).toBe(4);
    // Recorded before the header existed: the replay speaks as a worker that never sends it.
    for (const e of recorded.exchanges)
      if ("request" in e) expect(e.request.headers[workerProtocolHeader]).toBeUndefined();
  });

  it("is served with or without naming its version; others are told which side to upgrade", async () => {
    const beat = (version?: string) =>
      fetch(`${server.url}${workerApiBase}/enrol`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(version !== undefined && { [workerProtocolHeader]: version }),
        },
        body: "{}",
      });
    // Served: the body is then refused for what it is (400), not for the version.
    for (const version of [undefined, "1", "2"]) expect((await beat(version)).status).toBe(400);
    const old = await beat("0");
    expect(old.status).toBe(426);
    expect(await old.json()).toEqual({
      error: `this worker speaks protocol 0; this control plane serves versions 1 and 2: upgrade the worker`,
    });
    const newer = await beat(String(workerProtocolVersion + 1));
    expect(newer.status).toBe(426);
    expect((await newer.json()).error).toMatch(/upgrade the control plane first$/);
    expect((await beat("two")).status).toBe(426);
  });
});
