// The public REST API over real HTTP (its route handlers behind a node server), with real
// API keys and the typed client generated from the document.
// Next's request scope must load before anything of Next's.
import "../../test/fuzz/request-scope.ts";

import { readFileSync } from "node:fs";
import { compileErrors, validate } from "@readme/openapi-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectTestDb, contextFor, makeOrg, makeUser } from "../../test/db.ts";
import type { Permission } from "../auth/permissions.ts";
import { createCaller } from "../root-router.ts";
import { corralClient } from "./client.ts";
import {
  generatedClientFile,
  generatedClientSource,
  generatedDocumentFile,
  generatedDocumentSource,
} from "./client-source.ts";
import { openApiDocument } from "./document.ts";
import { type RestTestServer, startRestTestServer } from "./test-server.ts";

const db = connectTestDb();
let server: RestTestServer;
let owner: Awaited<ReturnType<typeof makeUser>>;
let org: Awaited<ReturnType<typeof makeOrg>>;
let other: Awaited<ReturnType<typeof makeOrg>>;

beforeAll(async () => {
  server = await startRestTestServer();
  owner = await makeUser(db);
  org = await makeOrg(db, [{ userId: owner.id, role: "OWNER" }]);
  other = await makeOrg(db, [{ userId: owner.id, role: "OWNER" }]);
});
afterAll(() => server.close());

async function keyFor(orgSlug: string, scopes: Permission[]) {
  const made = await createCaller(contextFor(db, owner)).apiKeys.create({
    orgSlug,
    name: `rest-${scopes.length}`,
    scopes: scopes as never,
    expiresInDays: 30,
  });
  return made.secret;
}

const allScopes: Permission[] = [
  "org.read",
  "agent.read",
  "agent.manage",
  "task.read",
  "task.manage",
  "audit.read",
  "audit.export",
  "member.read",
];

const agentBody = { name: "rest-agent", cpuMillis: 250, memoryMb: 128, workspaceMb: 128 };
let agents = 0;

/** An agent made as the web app makes one (signed in), running when `start`. */
async function makeAgent(start = false) {
  agents += 1;
  return createCaller(contextFor(db, owner)).agents.create({
    ...agentBody,
    orgSlug: org.slug,
    name: `made-${agents}`,
    image: "corral/agent-base:latest",
    command: [],
    env: {},
    start,
  });
}

async function raw(path: string, init: RequestInit & { key?: string } = {}) {
  const { key, ...rest } = init;
  const response = await fetch(`${server.url}/api/v1${path}`, {
    ...rest,
    headers: {
      ...(key && { authorization: `Bearer ${key}` }),
      ...(rest.body !== undefined && { "content-type": "application/json" }),
      ...(rest.headers as Record<string, string>),
    },
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: kept as text.
  }
  return { status: response.status, body: body as Record<string, unknown> };
}

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1 and is served at /api/v1/openapi.json", async () => {
    const served = await raw("/openapi.json");
    expect(served.status).toBe(200);
    expect(served.body).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
    const result = await validate(structuredClone(served.body) as never);
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
    expect(Object.keys(openApiDocument().paths ?? {})).toEqual(
      expect.arrayContaining([
        "/orgs/{orgSlug}/agents",
        "/orgs/{orgSlug}/agents/{agentId}/start",
        "/orgs/{orgSlug}/tasks",
        "/orgs/{orgSlug}/audit/events",
        "/orgs/{orgSlug}/audit/export",
        "/orgs/{orgSlug}/members",
      ]),
    );
  });

  it("a validator that cannot fail proves nothing: a broken document is refused", async () => {
    const broken = structuredClone(openApiDocument()) as unknown as Record<string, unknown>;
    (broken.paths as Record<string, unknown>)["/orgs/{orgSlug}/agents"] = {
      get: { responses: "none" },
    };
    expect((await validate(broken as never)).valid).toBe(false);
  });

  it("matches the committed document and client types (run `npm run api:client` after changing the API)", async () => {
    expect(
      readFileSync(generatedDocumentFile, "utf8") === generatedDocumentSource(),
      "openapi.json is stale",
    ).toBe(true);
    const committed = readFileSync(generatedClientFile, "utf8");
    expect(committed === (await generatedClientSource()), "schema.gen.ts is stale").toBe(true);
  });
});

describe("the REST API", () => {
  it("creates, reads and starts agents with an API key, audited as the key", async () => {
    const key = await keyFor(org.slug, allScopes);
    const api = corralClient({ url: server.url, apiKey: key });
    const orgSlug = org.slug;

    const created = await api.POST("/orgs/{orgSlug}/agents", {
      params: { path: { orgSlug } },
      body: { ...agentBody, image: "corral/agent-base:latest", env: { MODE: "test" } },
    });
    expect(created.error).toBeUndefined();
    expect(created.data).toMatchObject({ name: "rest-agent", desiredState: "STOPPED" });
    expect(created.data?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const agentId = created.data?.id ?? "";

    const listed = await api.GET("/orgs/{orgSlug}/agents", { params: { path: { orgSlug } } });
    expect(listed.data?.agents.map((a) => a.name)).toContain("rest-agent");
    // Only the public shape: nothing the dashboard keeps for itself.
    expect(Object.keys(listed.data?.agents[0] ?? {})).not.toContain("workspaceUsedBytes");

    const started = await api.POST("/orgs/{orgSlug}/agents/{agentId}/start", {
      params: { path: { orgSlug, agentId } },
    });
    expect(started.data?.desiredState).toBe("RUNNING");
    const one = await api.GET("/orgs/{orgSlug}/agents/{agentId}", {
      params: { path: { orgSlug, agentId } },
    });
    expect(one.data?.desiredState).toBe("RUNNING");

    const events = await api.GET("/orgs/{orgSlug}/audit/events", {
      params: { path: { orgSlug }, query: { action: "agent.", limit: 10 } },
    });
    expect(events.data?.events.map((e) => [e.action, e.actorType])).toEqual([
      ["agent.start_requested", "API_KEY"],
      ["agent.created", "API_KEY"],
    ]);

    const members = await api.GET("/orgs/{orgSlug}/members", { params: { path: { orgSlug } } });
    expect(members.data?.members).toEqual([
      expect.objectContaining({ email: owner.email, role: "OWNER" }),
    ]);
  });

  it("gives tasks and reads them back", async () => {
    const key = await keyFor(org.slug, allScopes);
    const api = corralClient({ url: server.url, apiKey: key });
    const orgSlug = org.slug;
    const agent = await makeAgent();
    const task = await api.POST("/orgs/{orgSlug}/tasks", {
      params: { path: { orgSlug } },
      body: { agentId: agent.id, prompt: "say hello" },
    });
    expect(task.error).toBeUndefined();
    expect(task.data).toMatchObject({ prompt: "say hello", status: "QUEUED", inputs: [] });
    const tasks = await api.GET("/orgs/{orgSlug}/tasks", {
      params: { path: { orgSlug }, query: { agentId: agent.id, limit: 5 } },
    });
    expect(tasks.data?.tasks.map((t) => t.id)).toContain(task.data?.id);
    const again = await api.GET("/orgs/{orgSlug}/tasks/{taskId}", {
      params: { path: { orgSlug, taskId: task.data?.id ?? "" } },
    });
    expect(again.data?.startedByType).toBe("API_KEY");
  });

  it("keeps each key to its own organisation", async () => {
    const otherKey = await keyFor(other.slug, allScopes);
    const answer = await raw(`/orgs/${org.slug}/agents`, { key: otherKey });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ code: "NOT_FOUND", message: "No such organisation." });
    const start = await raw(`/orgs/${org.slug}/agents/anything/start`, {
      key: otherKey,
      method: "POST",
      body: "{}",
    });
    expect(start.status).toBe(404);
  });

  it("keeps each key to its scopes", async () => {
    const readOnly = await keyFor(org.slug, ["agent.read"]);
    const agent = await makeAgent(true);
    expect((await raw(`/orgs/${org.slug}/agents`, { key: readOnly })).status).toBe(200);
    const stop = await raw(`/orgs/${org.slug}/agents/${agent.id}/stop`, {
      key: readOnly,
      method: "POST",
      body: "{}",
    });
    expect(stop).toMatchObject({
      status: 403,
      body: { message: "This API key is not scoped for agent.manage." },
    });
    expect((await db.agent.findUniqueOrThrow({ where: { id: agent.id } })).desiredState).toBe(
      "RUNNING",
    );
  });

  it("asks for a key, and refuses a wrong or revoked one", async () => {
    expect((await raw(`/orgs/${org.slug}/agents`)).status).toBe(401);
    expect((await raw(`/orgs/${org.slug}/agents`, { key: "crl_nope" })).status).toBe(401);
    const key = await keyFor(org.slug, ["agent.read"]);
    const row = await db.apiKey.findFirstOrThrow({ where: { prefix: key.slice(0, 12) } });
    await db.apiKey.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
    expect((await raw(`/orgs/${org.slug}/agents`, { key })).status).toBe(401);
  });

  it("answers bad input with 400 and what was wrong with which field", async () => {
    const key = await keyFor(org.slug, allScopes);
    const bad = await raw(`/orgs/${org.slug}/agents`, {
      key,
      method: "POST",
      body: JSON.stringify({ ...agentBody, name: "Not A Name", cpuMillis: 5, image: "x" }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("BAD_REQUEST");
    expect(bad.body.message).toMatch(/^(name|cpuMillis): .+ \(and 1 more problem\)$/);
    expect(bad.body.issues).toEqual(
      expect.arrayContaining([
        { path: ["name"], message: expect.stringContaining("lower-case") },
        { path: ["cpuMillis"], message: "At least 100 millicores (0.1 CPU)" },
      ]),
    );
    const cases: [string, RequestInit, number, RegExp][] = [
      ["/audit/events?limit=lots", {}, 400, /^limit: /],
      ["/audit/events?from=yesterday-ish", {}, 400, /^from: /],
      ["/agents", { method: "POST", body: "{nope" }, 400, /not valid JSON/],
      ["/agents", { method: "POST", body: "[1]" }, 400, /must be a JSON object/],
      [
        "/agents",
        { method: "POST", body: "{}", headers: { "content-type": "text/plain" } },
        415,
        /as JSON/,
      ],
      [
        "/agents",
        { method: "POST", body: JSON.stringify({ ...agentBody, name: "a\u0000b" }) },
        400,
        /NUL character.*found in name/,
      ],
      ["/agents", { method: "DELETE" }, 405, /Use GET, POST here/],
      ["/nothing/here", {}, 404, /No such endpoint/],
    ];
    for (const [path, init, status, message] of cases) {
      const answer = await raw(`/orgs/${org.slug}${path}`, { key, ...init });
      expect([path, answer.status, answer.body.message]).toEqual([
        path,
        status,
        expect.stringMatching(message),
      ]);
    }
  });

  it("pages through the audit log and streams its export", async () => {
    await makeAgent(true);
    const key = await keyFor(org.slug, allScopes);
    const api = corralClient({ url: server.url, apiKey: key });
    const orgSlug = org.slug;
    const first = await api.GET("/orgs/{orgSlug}/audit/events", {
      params: { path: { orgSlug }, query: { limit: 1 } },
    });
    expect(first.data?.events).toHaveLength(1);
    const cursor = first.data?.nextCursor ?? undefined;
    expect(cursor).toBeTypeOf("number");
    const second = await api.GET("/orgs/{orgSlug}/audit/events", {
      params: { path: { orgSlug }, query: { limit: 1, cursor } },
    });
    expect(second.data?.events[0]?.seq).toBeLessThan(first.data?.events[0]?.seq ?? 0);

    const exported = await api.GET("/orgs/{orgSlug}/audit/export", {
      params: { path: { orgSlug }, query: { format: "ndjson", action: "agent." } },
      parseAs: "text",
    });
    expect(exported.response.status).toBe(200);
    const actions = (exported.data ?? "")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).action);
    expect(actions).toEqual(expect.arrayContaining(["agent.created"]));
    expect(actions.every((a) => a.startsWith("agent."))).toBe(true);
    const audited = await db.auditEvent.findFirst({
      where: { orgId: org.id, action: "audit.exported" },
    });
    expect(audited?.actorType).toBe("API_KEY");
  });
});

describe("every REST endpoint, asked badly", () => {
  const hostile: unknown[] = [
    null,
    true,
    -1,
    1e308,
    "",
    "\u0000",
    "💥",
    "x".repeat(5000),
    "2026-13-45T99:00:00Z",
    ["a"],
    { __proto__: { polluted: true }, nested: { deeper: [] } },
  ];
  // As they travel in a URL (percent-encoded): NUL, a broken escape, an emoji, a space.
  const hostileSegments = ["..", "%00", "%E0%A4%A", "x".repeat(3000), "%F0%9F%92%A5", "%20"];

  it("never answers with a 5xx or an internal message, whatever each field holds", async () => {
    const key = await keyFor(org.slug, allScopes);
    const agent = await makeAgent();
    const valid: Record<string, string> = { orgSlug: org.slug, agentId: agent.id, taskId: "t" };
    const problems: string[] = [];
    const check = async (method: string, url: string, body?: string) => {
      const answer = await raw(url, { key, method, ...(body !== undefined && { body }) });
      const said = answer.body?.message ?? answer.body?.error;
      const message = typeof said === "string" ? said : "";
      const refusedSilently = answer.status >= 400 && !message;
      if (
        answer.status >= 500 ||
        refusedSilently ||
        /prisma|invocation|stack|TypeError/i.test(message)
      ) {
        problems.push(
          `${method} ${url.slice(0, 120)} ${body?.slice(0, 120) ?? ""} → ${answer.status} ${message}`,
        );
      }
    };
    for (const [template, operations] of Object.entries(openApiDocument().paths ?? {})) {
      for (const [method, operation] of Object.entries(operations as Record<string, unknown>)) {
        const op = operation as {
          parameters?: { name: string; in: string }[];
          requestBody?: { content: { "application/json": { schema: { properties?: object } } } };
        };
        const fill = (values: Record<string, string>) =>
          template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? "x");
        // Hostile path segments, one parameter at a time.
        for (const name of (op.parameters ?? [])
          .filter((p) => p.in === "path")
          .map((p) => p.name)) {
          for (const segment of hostileSegments) {
            await check(
              method.toUpperCase(),
              fill({ ...valid, [name]: segment }),
              method === "get" ? undefined : "{}",
            );
          }
        }
        const fields =
          method === "get"
            ? (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name)
            : Object.keys(op.requestBody?.content["application/json"].schema.properties ?? {});
        for (const field of fields) {
          for (const value of hostile) {
            if (method === "get") {
              const text = typeof value === "string" ? value : JSON.stringify(value);
              await check("GET", `${fill(valid)}?${new URLSearchParams({ [field]: text })}`);
            } else {
              await check(
                method.toUpperCase(),
                fill(valid),
                JSON.stringify({ ...agentBody, [field]: value }),
              );
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
