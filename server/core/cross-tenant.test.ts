// Every tenant-scoped procedure, found from the router itself, refuses a member of one
// organisation who names another. A new procedure is covered without editing this file.
import { beforeAll, describe, expect, it } from "vitest";
import { connectTestDb, contextFor, makeOrg, makeUser } from "../../test/db.ts";
import { keyScopes } from "../api-keys/schemas.ts";
import { can } from "../auth/permissions.ts";
import { appRouter } from "../root-router.ts";
import { createCallerFactory, createContext } from "./trpc.ts";

const db = connectTestDb();

type ProcedureDef = { _def: { type: string; meta?: { permission?: string } } };
const procedures = Object.entries(
  appRouter._def.procedures as unknown as Record<string, ProcedureDef>,
);
const tenantScoped = procedures.filter(([, p]) => p._def.meta?.permission);

/** Calls a procedure by its dotted path with raw input, as the HTTP adapter would. */
function call(caller: unknown, path: string, input: unknown): Promise<unknown> {
  type Node = Record<string, unknown> & ((input: unknown) => Promise<unknown>);
  const fn = path.split(".").reduce((node, key) => node[key] as Node, caller as Node);
  return fn(input);
}

describe("tenant isolation", () => {
  let orgA: { slug: string };
  let orgB: { slug: string };
  let ownerOfA: Awaited<ReturnType<typeof makeUser>>;

  beforeAll(async () => {
    ownerOfA = await makeUser(db);
    const ownerOfB = await makeUser(db);
    orgA = await makeOrg(db, [{ userId: ownerOfA.id, role: "OWNER" }]);
    orgB = await makeOrg(db, [{ userId: ownerOfB.id, role: "OWNER" }]);
  });

  it("finds the tenant-scoped procedures", () => {
    expect(tenantScoped.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        "organizations.overview",
        "members.list",
        "invitations.create",
        "members.remove",
      ]),
    );
  });

  it.each(tenantScoped.map(([name]) => [name]))(
    "%s refuses an owner of another organisation",
    async (name) => {
      const caller = createCallerFactory(appRouter)(contextFor(db, ownerOfA));
      // Only the organisation is named: the tenant check runs before the rest of the input is read.
      await expect(call(caller, name, { orgSlug: orgB.slug })).rejects.toMatchObject({
        code: expect.stringMatching(/^(NOT_FOUND|FORBIDDEN)$/),
      });
    },
  );

  it.each(tenantScoped.map(([name]) => [name]))(
    "%s refuses an API key of another organisation",
    async (name) => {
      const owner = createCallerFactory(appRouter)(contextFor(db, ownerOfA));
      const scopes = keyScopes.filter((p) => can("OWNER", p));
      const { secret } = await owner.apiKeys.create({
        orgSlug: orgA.slug,
        name: "all",
        scopes,
        expiresInDays: 1,
      });
      const caller = createCallerFactory(appRouter)(
        await createContext({ headers: new Headers({ authorization: `Bearer ${secret}` }) }),
      );
      await expect(call(caller, name, { orgSlug: orgB.slug })).rejects.toMatchObject({
        code: expect.stringMatching(/^(NOT_FOUND|FORBIDDEN)$/),
      });
    },
  );

  it("every procedure that takes orgSlug is tenant-scoped", () => {
    const takesOrg = procedures.filter(([, p]) =>
      JSON.stringify(
        (p._def as unknown as { inputs: { shape?: object }[] }).inputs.map((i) =>
          Object.keys(i.shape ?? {}),
        ),
      ).includes("orgSlug"),
    );
    expect(takesOrg.map(([n]) => n).sort()).toEqual(tenantScoped.map(([n]) => n).sort());
  });

  it("the caller can use its own organisation (the refusals above are not blanket ones)", async () => {
    const caller = createCallerFactory(appRouter)(contextFor(db, ownerOfA));
    await expect(call(caller, "members.list", { orgSlug: orgA.slug })).resolves.toHaveLength(1);
  });
});
