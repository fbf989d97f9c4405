// Every route handler under app/ (found on disk, so a new route is covered without editing
// this file), asked as Next would ask it — inside its request scope — with what a broken
// client or an attacker sends: malformed JSON, a 9 MiB body (announced, and streamed
// without a length), wrong content types, wrong methods, strange query strings and
// credentials that are garbage, expired or of the wrong kind. The worker API also gets
// bodies generated from its own wire schemas. Whatever is sent, the answer is never a 5xx,
// never shows the inside, and a refusal says what was wrong.
//
// FUZZ_RUNS (default 15) sets the random cases per handler on top of the fixed matrix;
// FUZZ_SEED replays a run.
import "../../../test/fuzz/request-scope.ts";
import { readdirSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  enrolRequestSchema,
  heartbeatRequestSchema,
  reportRequestSchema,
  taskEventsRequestSchema,
  taskNextRequestSchema,
} from "../../../common/worker-protocol.ts";
import { connectTestDb } from "../../../test/db.ts";
import { hostReport } from "../../../test/fleet.ts";
import { fuzzedInput, hostileValue } from "../../../test/fuzz/hostile.ts";
import { ask, type RouteHandler } from "../../../test/fuzz/http.ts";
import { type Answer, describeCase, problemsWith } from "../../../test/fuzz/responses.ts";
import { makeWorld, type World } from "../../../test/fuzz/world.ts";
import { arbitraryFor } from "../../../test/fuzz/zod-arbitrary.ts";
import { appRouter } from "../../root-router.ts";

const db = connectTestDb();
const runs = Number(process.env.FUZZ_RUNS ?? 15);
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

// ── The routes, from the file system ───────────────────────────────────────────────

const appDir = path.resolve(import.meta.dirname, "../../../app");
const methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;
type Method = (typeof methods)[number];

interface Route {
  /** The route as Next serves it, e.g. /api/orgs/[slug]/audit/export */
  pattern: string;
  handlers: [Method, RouteHandler][];
}

const routes: Route[] = await Promise.all(
  readdirSync(appDir, { recursive: true, encoding: "utf8" })
    .filter((file) => path.basename(file) === "route.ts")
    .sort()
    .map(async (file) => {
      const module = (await import(path.join(appDir, file))) as Record<string, unknown>;
      const pattern = `/${path.dirname(file).split(path.sep).join("/")}`.replace(
        /\/\([^)]+\)/g,
        "",
      );
      const handlers = methods
        .filter((m) => typeof module[m] === "function")
        .map((m): [Method, RouteHandler] => [m, module[m] as RouteHandler]);
      return { pattern, handlers };
    }),
);

/** What a dynamic segment can stand for: real names, nonsense and hostile text. */
function segmentValues(name: string, world: World): fc.Arbitrary<string | string[]> {
  // Decoded, as Next hands them over (the URL carries them encoded).
  const hostileSegment = fc.constantFrom("..", "\u0000", "a/b", "%", "x".repeat(3000), "💥", " ");
  if (name === "...nextauth") {
    const actions = [
      ["session"],
      ["csrf"],
      ["providers"],
      ["signin"],
      ["signin", "credentials"],
      ["signin", "email"],
      ["callback", "credentials"],
      ["callback", "email"],
      ["callback", "oidc"],
      ["signout"],
      ["error"],
      ["verify-request"],
      ["nope"],
      ["session", "..", "csrf"],
    ];
    return fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...actions) },
      { weight: 1, arbitrary: hostileSegment.map((s) => [s]) },
    );
  }
  if (name === "trpc") {
    const names = Object.keys(appRouter._def.procedures);
    return fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...names) },
      { weight: 1, arbitrary: fc.constantFrom("nope", "accounts.me,health.status", "__proto__") },
      { weight: 1, arbitrary: hostileSegment },
    );
  }
  if (name === "slug")
    return fc.oneof({ weight: 4, arbitrary: fc.constant(world.org.slug) }, hostileSegment);
  return fc.oneof(fc.constant("x"), hostileSegment);
}

/** The path and params of one request to the route. */
function locationOf(
  route: Route,
  world: World,
): fc.Arbitrary<{ url: string; params: Record<string, string | string[]> }> {
  const names = [...route.pattern.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1] ?? "");
  return fc.tuple(...names.map((n) => segmentValues(n, world))).map((values) => {
    const params = Object.fromEntries(
      names.map((n, i) => [n.replace(/^\.\.\./, ""), values[i] ?? ""]),
    );
    let url = route.pattern;
    names.forEach((n, i) => {
      const value = values[i] ?? "";
      url = url.replace(
        `[${n}]`,
        (Array.isArray(value) ? value : [value]).map(encodeURIComponent).join("/"),
      );
    });
    return { url, params };
  });
}

// ── What is sent ───────────────────────────────────────────────────────────────────

const nineMiB = 9 * 1024 * 1024;

/** Bodies no handler should choke on. `stream` bodies go without a Content-Length. */
const bodies: Record<string, () => BodyInit> = {
  "malformed JSON": () => '{"json": {"orgSlug": "a",',
  "truncated JSON": () => "[",
  "a bare word": () => "nope",
  "JSON null": () => "null",
  "a JSON number": () => "1e999",
  "a JSON string": () => '"\\u0000"',
  "deeply nested JSON": () => `${"[".repeat(50_000)}${"]".repeat(50_000)}`,
  "superjson meta gone wrong": () =>
    '{"json": {"orgSlug": "x"}, "meta": {"values": {"orgSlug": ["Date", "bigint"], "__proto__": ["map"]}}}',
  "text with NUL": () =>
    '{"json": {"orgSlug": "x\\u0000"}, "agentId": "\\u0000", "taskId": "t", "generation": 0, "runId": "r", "waitSeconds": 0}',
  // A heartbeat as a worker sends it, but for one character.
  "an unpaired surrogate": () => {
    const beat = hostReport("surrogate");
    return JSON.stringify({ ...beat, engine: { ...beat.engine, runtimes: ["runc\ud800"] } });
  },
  "prototype keys": () => '{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}',
  "binary noise": () => new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
  "a form": () => "email=a%40b.test&password=x&csrfToken=nope",
  empty: () => "",
  "9 MiB of JSON": () => JSON.stringify({ json: { orgSlug: "x", name: "x".repeat(nineMiB) } }),
  "9 MiB streamed without a length": () =>
    new ReadableStream({
      start(controller) {
        const chunk = new TextEncoder().encode("x".repeat(1024 * 1024));
        for (let i = 0; i < 9; i++) controller.enqueue(chunk);
        controller.close();
      },
    }),
};

const contentTypes = [
  "application/json",
  "application/json; charset=utf-16",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=nope",
  "application/octet-stream",
  "%%%",
  null,
];

const fixedQueries = [
  "?input=%7Bnope",
  "?input=%22%5Cu0000%22",
  "?batch=1&input=%7B%220%22%3A1%7D",
  "?batch=1&input=%5B%5D",
  "?after=NaN&wait=0",
  "?after=99999999999999999999&wait=abc",
  "?after=-1&wait=-5",
  "?agentId=&taskId=&wait=0",
  "?agentId=%00&taskId=x&wait=0",
  "?format=csv&q=%00",
  `?agentId=${"x".repeat(70)}&taskId=y&wait=0`,
  "?format=xml",
  "?format=csv&from=notadate",
  "?format=ndjson&from=-271821-04-20&to=%2B275760-09-13",
  "?format=csv&outcome=MAYBE&q=%00",
  `?q=${"%F0%9F%92%A5".repeat(2000)}`,
  "?callbackUrl=https%3A%2F%2Fevil.example&error=Configuration",
  "?callbackUrl=javascript%3Aalert(1)",
  "?callbackUrl=%2F%2F%5Cevil",
  "?%=%&&==",
];

const queries = fc.oneof(
  fc.constant(""),
  fc.constantFrom(...fixedQueries),
  fc
    .dictionary(
      fc.constantFrom("input", "format", "after", "wait", "q", "from", "agentId", "batch"),
      fc.string({ maxLength: 40 }),
      { maxKeys: 3 },
    )
    .map((q) => `?${new URLSearchParams({ ...q, wait: "0" })}`),
);

function credentialsOf(world: World): fc.Arbitrary<[string, Record<string, string>]> {
  const owner = (kind: string) =>
    world.callers.find((c) => c.name === `owner (${kind})`)?.headers ?? {};
  // The ones that get furthest in are drawn most often.
  const likely = fc.constantFrom<[string, Record<string, string>]>(
    ["the owner's session", owner("session")],
    ["the owner's API key", owner("API key")],
    ["the host's credential", { authorization: `Bearer ${world.host.credential}` }],
  );
  const unlikely = fc.constantFrom<[string, Record<string, string>]>(
    ["nobody", {}],
    ["a garbage session cookie", { cookie: "authjs.session-token=garbage; authjs.csrf-token=x" }],
    ["a cookie of 8 KiB", { cookie: `authjs.session-token=${"a".repeat(8192)}` }],
    ["an unknown API key", { authorization: "Bearer crl_nope" }],
    ["a 10 KiB bearer", { authorization: `Bearer ${"x".repeat(10_240)}` }],
    ["a malformed authorization", { authorization: "Basic %%%" }],
    ["an unknown host credential", { authorization: "Bearer crlh_nope" }],
    [
      "a callback cookie that is no address",
      { cookie: "authjs.callback-url=javascript%3Aalert(1)" },
    ],
  );
  return fc.oneof({ weight: 2, arbitrary: likely }, { weight: 1, arbitrary: unlikely });
}

interface Case {
  description: Record<string, unknown>;
  method: string;
  url: string;
  params: Record<string, string | string[]>;
  headers: Record<string, string>;
  body?: BodyInit;
  sent: string;
}

async function askCase(handler: RouteHandler, c: Case): Promise<Answer> {
  const hasBody = c.body !== undefined && c.method !== "GET" && c.method !== "HEAD";
  return ask(handler, c.url, {
    method: c.method,
    headers: { "x-forwarded-for": "10.9.9.9", ...c.headers },
    params: c.params,
    ...(hasBody && { body: c.body }),
  });
}

// Probes answer 503 for the state of the system (no job queue here, say), whatever was
// asked: that is their contract with load balancers and orchestrators, not a failure.
const probes = new Set(["/api/health", "/api/ready"]);

function expectSafe(answer: Answer, c: Case, route: Route) {
  const unavailable = probes.has(route.pattern) && answer.status === 503;
  const problems = problemsWith(unavailable ? { ...answer, status: 200 } : answer, c.sent);
  if (problems.length > 0)
    expect.fail(`${problems.join("; ")}\n${describeCase(c.description, answer)}`);
}

// ── The worker API's own wire schemas ──────────────────────────────────────────────

const workerBodies: Record<string, z.ZodType> = {
  "/api/worker/v1/enrol": enrolRequestSchema,
  "/api/worker/v1/heartbeat": heartbeatRequestSchema,
  "/api/worker/v1/report": reportRequestSchema,
  "/api/worker/v1/tasks/next": taskNextRequestSchema,
  "/api/worker/v1/tasks/events": taskEventsRequestSchema,
};

// ── The tests ──────────────────────────────────────────────────────────────────────

describe("every route handler, asked badly", () => {
  let world: World;
  beforeAll(async () => {
    world = await makeWorld(db);
  });

  it("finds the route handlers on disk", () => {
    expect(routes.map((r) => r.pattern)).toEqual(
      expect.arrayContaining([
        "/api/trpc/[trpc]",
        "/api/auth/[...nextauth]",
        "/api/orgs/[slug]/audit/export",
        "/api/worker/v1/report",
        "/api/health",
      ]),
    );
    for (const route of routes) expect(route.handlers.length, route.pattern).toBeGreaterThan(0);
  });

  const handlers = routes.flatMap((route) =>
    route.handlers.map(([method, handler]) => ({
      name: `${method} ${route.pattern}`,
      route,
      method,
      handler,
    })),
  );

  it.each(handlers.map((h) => [h.name, h]))(
    "%s refuses every bad body in words, signed out and signed in",
    async (_name, { route, method, handler }) => {
      // Every value each path segment is tried with, as the owner.
      const places = [
        ...new Map(
          fc.sample(locationOf(route, world), { numRuns: 60, seed: 3 }).map((l) => [l.url, l]),
        ).values(),
      ];
      // Bad bodies are sent where one is read: to a procedure that takes this method.
      const location = places.find((place) => takesBody(place.params, method)) ?? places[0];
      if (!location) throw new Error("no location");
      const owner = world.callers.find((c) => c.name === "owner (session)")?.headers ?? {};
      const credentials: [string, Record<string, string>][] = [
        ["nobody", {}],
        ["the owner's session", owner],
        ["the host's credential", { authorization: `Bearer ${world.host.credential}` }],
      ];
      const everyone = fc.sample(credentialsOf(world), { numRuns: 200, seed: 1 });
      const owners = credentials.filter(([n]) => n === "the owner's session");
      const matrix = [
        ...Object.keys(bodies).map(
          (b) => [b, "application/json", "", credentials, location] as const,
        ),
        ...contentTypes.map((t) => ["a form", t, "", credentials, location] as const),
        ...fixedQueries.map((q) => ["empty", null, q, credentials, location] as const),
        [
          "a form",
          "application/x-www-form-urlencoded",
          "",
          [...new Map(everyone)],
          location,
        ] as const,
        ...places.map((place) => ["empty", null, "", owners, place] as const),
      ];
      for (const [bodyName, contentType, query, who, { url, params }] of matrix) {
        for (const [whoName, headers] of who) {
          const c: Case = {
            description: {
              request: `${method} ${url}${query}`,
              body: bodyName,
              "content-type": contentType ?? "(none)",
              credentials: whoName,
            },
            method,
            url: `${url}${query}`,
            params,
            headers: { ...headers, ...(contentType && { "content-type": contentType }) },
            body: bodies[bodyName]?.(),
            sent: safeDecode(query),
          };
          expectSafe(await askCase(handler, c), c, route);
        }
      }
    },
    120_000,
  );

  it.each(handlers.map((h) => [h.name, h]))(
    "%s answers random bad requests without a 5xx or a leak",
    async (_name, { route, method, handler }) => {
      const bodyNames = Object.keys(bodies) as (keyof typeof bodies)[];
      const schema = workerBodies[route.pattern];
      const generated = schema
        ? fuzzedInput(
            // Real ids, so bodies reach past the lookups; no long-poll waits out its deadline.
            arbitraryFor(schema, (key, gen) =>
              key === "waitSeconds" ? fc.constant(0) : world.hints(key, gen),
            ),
          )
        : hostileValue;
      const requests = fc.record({
        location: locationOf(route, world),
        method: fc.oneof(
          { weight: 4, arbitrary: fc.constant(method) },
          fc.constantFrom(...methods),
        ),
        query: queries,
        credentials: credentialsOf(world),
        contentType: fc.constantFrom(...contentTypes),
        body: fc.oneof(
          {
            weight: 2,
            arbitrary: fc
              .constantFrom(...bodyNames)
              .map((n) => ({ name: n, value: bodies[n]?.() })),
          },
          {
            weight: 3,
            arbitrary: generated.map((v) => {
              const text = safeJson(v);
              return { name: `JSON ${text.slice(0, 200)}`, value: text };
            }),
          },
        ),
      });
      const property = fc.asyncProperty(requests, async (r) => {
        const [whoName, headers] = r.credentials;
        const c: Case = {
          description: {
            request: `${r.method} ${r.location.url}${r.query}`,
            credentials: whoName,
            "content-type": r.contentType ?? "(none)",
            body: r.body.name,
          },
          method: r.method,
          url: `${r.location.url}${r.query}`,
          params: r.location.params,
          headers: { ...headers, ...(r.contentType && { "content-type": r.contentType }) },
          body: r.body.value,
          sent: `${safeDecode(r.query)} ${typeof r.body.value === "string" ? r.body.value.slice(0, 10_000) : ""}`,
        };
        expectSafe(await askCase(handler, c), c, route);
      });
      const result = await fc.check(property, { numRuns: runs, seed, endOnFailure: true });
      if (result.failed) {
        const error =
          result.errorInstance instanceof Error
            ? result.errorInstance.message
            : String(result.errorInstance);
        expect.fail(`${error}\n  (replay: FUZZ_SEED=${result.seed})`);
      }
    },
    120_000,
  );
});

/** Whether a request with `method` to these params reaches code that reads its input. */
function takesBody(params: Record<string, string | string[]>, method: string): boolean {
  if (typeof params.trpc !== "string") return true;
  const procedure = (appRouter._def.procedures as Record<string, { _def?: { type?: string } }>)[
    params.trpc
  ];
  const type = procedure?._def?.type;
  return method === "POST" ? type === "mutation" : type === "query";
}

/** JSON of any value (BigInt as text, cycles impossible here). */
function safeJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v)) ?? "null";
}

function safeDecode(query: string): string {
  try {
    return decodeURIComponent(query);
  } catch {
    return query;
  }
}
