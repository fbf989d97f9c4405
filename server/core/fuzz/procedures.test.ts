// Every tRPC procedure, found from the router itself, fuzzed through the real HTTP handler
// (app/api/trpc/[trpc]/route.ts) by every kind of caller: signed out, each role signed in
// (an Auth.js session cookie) and through its own API key, and an operator. Inputs come from
// the procedure's own zod schemas — mostly valid, often with one place spoiled, sometimes
// plain garbage — so a new procedure is fuzzed without editing this file. Whatever is sent,
// the answer is never a 5xx, never shows the inside, and a refusal says what was wrong.
//
// Each procedure is asked once by every caller, then FUZZ_RUNS (default 15) more times by
// callers drawn at random (those it lets through three times as often as those it refuses,
// who stop at the same check). FUZZ_SEED replays a run.
import "../../../test/fuzz/request-scope.ts";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import * as trpcRoute from "../../../app/api/trpc/[trpc]/route.ts";
import { connectTestDb } from "../../../test/db.ts";
import { fuzzedInput } from "../../../test/fuzz/hostile.ts";
import { ask, type RouteHandler, trpcCall } from "../../../test/fuzz/http.ts";
import { describeCase, problemsWith } from "../../../test/fuzz/responses.ts";
import { type Caller, makeWorld, type World } from "../../../test/fuzz/world.ts";
import { arbitraryFor, isPlainObject } from "../../../test/fuzz/zod-arbitrary.ts";
import { can, type Permission } from "../../auth/permissions.ts";
import { appRouter } from "../../root-router.ts";

const db = connectTestDb();
const runs = Number(process.env.FUZZ_RUNS ?? 15);
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

type Procedure = {
  _def: {
    type: "query" | "mutation" | "subscription";
    inputs: Parameters<typeof arbitraryFor>[0][];
    meta?: { permission?: Permission };
  };
};
const procedures = Object.entries(
  appRouter._def.procedures as unknown as Record<string, Procedure>,
);

/** Valid-shaped input: a procedure's schemas are parsed one after another and merged. */
function validInputOf(procedure: Procedure, world: World): fc.Arbitrary<unknown> {
  const parts = procedure._def.inputs.map((schema) => arbitraryFor(schema, world.hints));
  if (parts.length === 0) return fc.constant(undefined);
  return fc
    .tuple(...parts)
    .map((values) =>
      values.every(isPlainObject) ? Object.assign({}, ...values) : values[values.length - 1],
    );
}

/** Every string in `value` but the real ids and slug, with `bad` appended. */
function spoilText(value: unknown, ids: Set<string>, bad: string): unknown {
  if (typeof value === "string") return ids.has(value) ? value : `${value}${bad}`;
  if (Array.isArray(value)) return value.map((v) => spoilText(v, ids, bad));
  if (isPlainObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, spoilText(v, ids, bad)]));
  return value;
}

/** Calls `path` over HTTP as `caller`; any problem with the answer fails the test. */
async function expectSafeCall(path: string, procedure: Procedure, caller: Caller, value: unknown) {
  const call = trpcCall(path, procedure._def.type, value);
  const handler = call.init.method === "POST" ? trpcRoute.POST : trpcRoute.GET;
  const answer = await ask(handler as RouteHandler, call.url, {
    ...call.init,
    headers: { ...caller.headers, ...(call.init.headers as Record<string, string>) },
  });
  const problems = problemsWith(answer, call.sent);
  if (problems.length > 0) {
    const parts = { caller: caller.name, input: fc.stringify(value) };
    throw new Error(`${problems.join("; ")}\n${describeCase(parts, answer)}`);
  }
  return answer;
}

/** Callers the procedure lets through are drawn three times as often as those it refuses. */
function callerOf(procedure: Procedure, callers: Caller[]): fc.Arbitrary<Caller> {
  const permission = procedure._def.meta?.permission;
  const allowed = (caller: Caller) =>
    !permission || (caller.role !== null && can(caller.role, permission));
  return fc.oneof(
    ...callers.map((caller) => ({
      weight: allowed(caller) ? 3 : 1,
      arbitrary: fc.constant(caller),
    })),
  );
}

describe("every procedure, every caller, fuzzed input", () => {
  it("finds the procedures from the router", () => {
    expect(procedures.length).toBeGreaterThan(50);
    expect(procedures.map(([name]) => name)).toEqual(
      expect.arrayContaining(["organizations.create", "agents.watch", "tasks.create"]),
    );
  });

  it.each(procedures)(
    "%s answers without a 5xx or a leak, and refuses in words",
    async (path, procedure) => {
      const world = await makeWorld(db);
      const input = fuzzedInput(validInputOf(procedure, world));
      const property = fc.asyncProperty(
        callerOf(procedure, world.callers),
        input,
        async (caller, value) => {
          await expectSafeCall(path, procedure, caller, value);
        },
      );
      // Every caller once for sure, then as many cases as FUZZ_RUNS asks.
      const examples = world.callers.map((caller, i): [Caller, unknown] => [
        caller,
        fc.sample(input, { numRuns: 1, seed: i })[0],
      ]);
      const result = await fc.check(property, {
        numRuns: runs,
        examples,
        seed,
        // A failing case is reported as found: shrinking would replay it against rows that
        // the case itself may have changed.
        endOnFailure: true,
      });
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

  // PostgreSQL refuses NUL in text and unpaired surrogates in JSON outright; a fuzzer draws
  // them only now and then, so each procedure gets them in every string it takes.
  describe("text the database cannot store", () => {
    let world: World;
    beforeAll(async () => {
      world = await makeWorld(db);
    });

    it.each(procedures.filter(([, p]) => p._def.inputs.length > 0))(
      "%s refuses it in words",
      async (path, procedure) => {
        const owner = world.callers.find((c) => c.name === "owner (session)");
        if (!owner) throw new Error("no owner");
        const ids = new Set(Object.values(world.ids));
        const samples = fc.sample(validInputOf(procedure, world), { numRuns: 4, seed: 7 });
        for (const [i, value] of samples.entries()) {
          const spoiled = spoilText(value, ids, i % 2 === 0 ? "\u0000" : "\ud800");
          // Without text to spoil there is nothing to send (and some calls, such as signing
          // out everywhere, would end the owner's session for the calls after it).
          if (JSON.stringify(spoiled) === JSON.stringify(value)) continue;
          const answer = await expectSafeCall(path, procedure, owner, spoiled);
          if (procedure._def.type !== "subscription") expect(answer.status).toBe(400);
        }
      },
    );
  });
});
