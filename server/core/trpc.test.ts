import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { connectTestDb, contextFor, makeOrg, makeUser } from "../../test/db.ts";
import { appRouter } from "../root-router.ts";
import { type Context, createCallerFactory, createTRPCRouter, tenantProcedure } from "./trpc.ts";

const db = connectTestDb();

// A router exercising the ladder with a permission only owners hold.
const ladder = createTRPCRouter({
  read: tenantProcedure("org.read").query(({ ctx }) => ctx.org.slug),
  destroy: tenantProcedure("org.delete").mutation(({ ctx }) => `would delete ${ctx.org.slug}`),
});
const ladderCaller = createCallerFactory(ladder);
const appCaller = createCallerFactory(appRouter);

function ctxFor(user: { id: string; email: string; name: string } | null): Context {
  return contextFor(db, user);
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}

describe("procedure ladder", () => {
  let owner: Awaited<ReturnType<typeof makeUser>>;
  let viewer: Awaited<ReturnType<typeof makeUser>>;
  let outsider: Awaited<ReturnType<typeof makeUser>>;
  let org: Awaited<ReturnType<typeof makeOrg>>;

  beforeAll(async () => {
    [owner, viewer, outsider] = await Promise.all([makeUser(db), makeUser(db), makeUser(db)]);
    org = await makeOrg(db, [
      { userId: owner.id, role: "OWNER" },
      { userId: viewer.id, role: "VIEWER" },
    ]);
    await makeOrg(db, [{ userId: outsider.id, role: "OWNER" }]);
  });

  it("refuses a signed-out caller with UNAUTHORIZED", async () => {
    expect(await codeOf(ladderCaller(ctxFor(null)).read({ orgSlug: org.slug }))).toBe(
      "UNAUTHORIZED",
    );
    expect(await codeOf(appCaller(ctxFor(null)).accounts.me())).toBe("UNAUTHORIZED");
  });

  it("hides another organisation behind NOT_FOUND", async () => {
    expect(await codeOf(ladderCaller(ctxFor(outsider)).read({ orgSlug: org.slug }))).toBe(
      "NOT_FOUND",
    );
    expect(
      await codeOf(appCaller(ctxFor(outsider)).organizations.overview({ orgSlug: org.slug })),
    ).toBe("NOT_FOUND");
  });

  it("answers an unknown organisation exactly like a foreign one", async () => {
    expect(await codeOf(ladderCaller(ctxFor(owner)).read({ orgSlug: "no-such-org" }))).toBe(
      "NOT_FOUND",
    );
  });

  it("lets a member do what the role allows and refuses the rest with FORBIDDEN", async () => {
    const asViewer = ladderCaller(ctxFor(viewer));
    expect(await asViewer.read({ orgSlug: org.slug })).toBe(org.slug);
    await expect(asViewer.destroy({ orgSlug: org.slug })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "Your role (viewer) does not allow org.delete.",
    });
    expect(await ladderCaller(ctxFor(owner)).destroy({ orgSlug: org.slug })).toBe(
      `would delete ${org.slug}`,
    );
  });

  it("rejects malformed input with BAD_REQUEST before touching the database", async () => {
    expect(await codeOf(ladderCaller(ctxFor(owner)).read({ orgSlug: "" }))).toBe("BAD_REQUEST");
  });

  it("shows a member their own organisation's overview", async () => {
    const overview = await appCaller(ctxFor(viewer)).organizations.overview({ orgSlug: org.slug });
    expect(overview).toMatchObject({ slug: org.slug, members: 2, yourRole: "VIEWER" });
  });

  it("declares a permission on every procedure that takes an organisation", () => {
    const procedures = Object.entries(appRouter._def.procedures) as unknown as [
      string,
      { _def: { inputs: unknown[]; meta?: { permission?: string } } },
    ][];
    const tenantScoped = procedures.filter(([, p]) =>
      p._def.inputs.some((input) =>
        JSON.stringify(Object.keys((input as { shape?: object }).shape ?? {})).includes("orgSlug"),
      ),
    );
    expect(tenantScoped.length).toBeGreaterThan(0);
    for (const [name, procedure] of tenantScoped) {
      expect(procedure._def.meta?.permission, name).toBeTruthy();
    }
  });
});
