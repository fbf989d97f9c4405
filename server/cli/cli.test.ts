// The `corral` CLI: its database commands on the run's database, its API commands with the
// generated client against the real REST route handlers over HTTP, and the bin itself.
// Next's request scope must load before anything of Next's.
import "../../test/fuzz/request-scope.ts";

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connectTestDb, contextFor, makeOrg, makeUser } from "../../test/db.ts";
import { enrolTestHost, hostReport } from "../../test/fleet.ts";
import { verifyPassword } from "../auth/password.ts";
import { enrolHost } from "../fleet/enrolment.ts";
import { type RestTestServer, startRestTestServer } from "../openapi/test-server.ts";
import { createCaller } from "../root-router.ts";
import { memoryWritable } from "./io.ts";
import { run } from "./main.ts";

const db = connectTestDb();
const unique = () => Math.random().toString(36).slice(2, 8);

/** Runs one command line in-process; what it printed and its exit status. */
async function corral(args: string[], env: Record<string, string> = {}, stdin = "") {
  const out = memoryWritable();
  const err = memoryWritable();
  const status = await run(args, {
    out,
    err,
    stdin: Readable.from([stdin]),
    env: { DATABASE_URL: inject("databaseUrl"), ...env },
  });
  return { status, out: out.text(), err: err.text() };
}

describe("corral create-admin", () => {
  it("makes a verified operator with the given password, audited", async () => {
    const email = `admin-${unique()}@example.test`;
    const password = "a long enough passphrase for admins";
    const made = await corral(
      ["create-admin", "--email", email, "--name", "Ada Admin", "--password-stdin"],
      {},
      `${password}\n`,
    );
    expect(made).toMatchObject({ status: 0, err: "" });
    expect(made.out).toMatch(new RegExp(`^Created operator ${email} \\(\\w+\\)\\.\\n$`));
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    expect(user.isOperator).toBe(true);
    expect(user.emailVerifiedAt).not.toBeNull();
    expect(await verifyPassword(user.passwordHash ?? "", password)).toBe(true);
    const event = await db.auditEvent.findFirstOrThrow({
      where: { action: "user.signed_up", targetId: user.id },
    });
    expect(event).toMatchObject({ actorType: "SYSTEM", actorName: "corral create-admin" });
    expect(event.userAgent).toMatch(/^corral-cli \(/);
  });

  it("shows a generated password once when none is given", async () => {
    const email = `admin-${unique()}@example.test`;
    const made = await corral(["create-admin", "--email", email, "--name", "Generated"]);
    expect(made.status).toBe(0);
    const password = made.out.match(/Password \(shown once\): (\S+)/)?.[1] ?? "";
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    expect(await verifyPassword(user.passwordHash ?? "", password)).toBe(true);
  });

  it("refuses a taken address, a bad one and a leaked password, in one line", async () => {
    const taken = await makeUser(db);
    const cases: [string[], string, RegExp][] = [
      [["--email", taken.email, "--name", "X"], "long enough passphrase!", /exists\.$/],
      [["--email", "not-an-address", "--name", "X"], "long enough passphrase!", /^email: /],
      [["--email", `a-${unique()}@example.test`, "--name", "X"], "password1234", /^password: /],
      [["--email", `a-${unique()}@example.test`, "--name", "X"], "short", /^password: /],
    ];
    for (const [args, password, message] of cases) {
      const answer = await corral(["create-admin", ...args], { CORRAL_ADMIN_PASSWORD: password });
      expect(answer.status).toBe(1);
      expect(answer.err.split("\n")).toHaveLength(2);
      expect(answer.err.replace(/^corral: /, "").trim()).toMatch(message);
    }
  });
});

describe("corral hosts", () => {
  let operator: { id: string; email: string };
  beforeAll(async () => {
    const user = await makeUser(db);
    operator = await db.user.update({ where: { id: user.id }, data: { isOperator: true } });
  });

  it("mints an enrolment token a worker can use, audited as the operator", async () => {
    const name = `host-${unique()}`;
    const minted = await corral(["hosts", "token", "--host", name, "--as", operator.email]);
    expect(minted.status).toBe(0);
    const token = minted.out.trim();
    expect(token).toMatch(/^crle_\S{40,}$/);
    expect(minted.err).toMatch(/^Valid until \d{4}-/);
    const enrolled = await enrolHost(db, { ...hostReport(name), token }, {});
    expect("refused" in enrolled).toBe(false);
    const event = await db.auditEvent.findFirstOrThrow({
      where: { action: "worker.enrolment_token_created", actorId: operator.id },
      orderBy: { occurredAt: "desc" },
    });
    expect(event.userAgent).toMatch(/^corral-cli/);
  });

  it("lists hosts and drains one by name, audited as the operator", async () => {
    const name = `drain-${unique()}`;
    await enrolTestHost(db, name);
    const listed = await corral(["hosts", "list", "--json", "--as", operator.email]);
    expect(listed.status).toBe(0);
    const hosts = JSON.parse(listed.out) as { name: string; draining: boolean }[];
    expect(hosts.find((h) => h.name === name)).toMatchObject({ draining: false });
    const table = await corral(["hosts", "list"], { CORRAL_OPERATOR: operator.email });
    expect(table.out.split("\n")[0]).toMatch(/^NAME\s+STATE\s+CPU/);
    expect(table.out).toMatch(new RegExp(`^${name}\\s+live\\s`, "m"));

    const drained = await corral(["hosts", "drain", name, "--as", operator.email]);
    expect(drained).toMatchObject({ status: 0, err: "" });
    const host = await db.workerHost.findUniqueOrThrow({ where: { name } });
    expect(host).toMatchObject({ draining: true, cordoned: true });
    const event = await db.auditEvent.findFirstOrThrow({
      where: { action: "worker.draining", targetId: host.id },
    });
    expect(event).toMatchObject({ actorType: "USER", actorId: operator.id });

    const missing = await corral(["hosts", "drain", "no-such-host", "--as", operator.email]);
    expect(missing).toMatchObject({ status: 1, out: "" });
    expect(missing.err).toBe("corral: No host is named no-such-host (see corral hosts list).\n");
  });

  it("asks who is acting when there are several operators, and refuses a non-operator", async () => {
    const another = await makeUser(db);
    await db.user.update({ where: { id: another.id }, data: { isOperator: true } });
    const several = await corral(["hosts", "list"]);
    expect(several.status).toBe(1);
    expect(several.err).toMatch(/several operators: say who you are with --as/);
    const person = await makeUser(db);
    const refused = await corral(["hosts", "list", "--as", person.email]);
    expect(refused.err).toBe(`corral: ${person.email} is not an operator of this deployment.\n`);
  });

  it("needs the database", async () => {
    const out = memoryWritable();
    const err = memoryWritable();
    const status = await run(["hosts", "list"], {
      out,
      err,
      stdin: Readable.from([]),
      env: {},
    });
    expect(status).toBe(2);
    expect(err.text()).toMatch(/^corral: Set DATABASE_URL/);
  });
});

describe("corral audit verify", () => {
  it("reports each chain, records the check, and fails on a tampered chain", async () => {
    const owner = await makeUser(db);
    const org = await makeOrg(db, [{ userId: owner.id, role: "OWNER" }]);
    const web = createCaller(contextFor(db, owner));
    for (const name of ["one", "two", "three"]) {
      await web.agents.create({
        orgSlug: org.slug,
        name,
        image: "corral/agent-base:latest",
        cpuMillis: 100,
        memoryMb: 64,
        workspaceMb: 64,
      });
    }
    const before = await corral(["audit", "verify"]);
    expect(before.out).toMatch(new RegExp(`^ok      ${org.id}: \\d+ events$`, "m"));
    const summary = before.out.match(/^(\d+) chains, (\d+) broken$/m);
    expect(summary).not.toBeNull();
    // Other suites may have broken chains of their own on purpose: the status follows them.
    expect(before.status).toBe(summary?.[2] === "0" ? 0 : 1);
    const recorded = await db.auditEvent.findFirstOrThrow({
      where: { action: "audit.verified", actorName: "corral audit verify" },
      orderBy: { occurredAt: "desc" },
    });
    expect(recorded.metadata).toMatchObject({ chains: Number(summary?.[1]) });

    const second = await db.auditEvent.findFirstOrThrow({ where: { chain: org.id, seq: 2 } });
    await db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL ROLE NONE");
      await tx.$executeRawUnsafe(
        `ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_append_only"`,
      );
      await tx.$executeRawUnsafe(
        `UPDATE "AuditEvent" SET "actorName" = 'someone else' WHERE id = $1`,
        second.id,
      );
      await tx.$executeRawUnsafe(
        `ALTER TABLE "AuditEvent" ENABLE TRIGGER "AuditEvent_append_only"`,
      );
    });
    const after = await corral(["audit", "verify"]);
    expect(after.status).toBe(1);
    expect(after.out).toMatch(
      new RegExp(`^BROKEN  ${org.id}: .* at event ${second.id} \\(seq 2\\)`, "m"),
    );
    expect(after.err).toMatch(/^corral: \d+ audit chain\(s\) broken\.\n$/);
  });
});

describe("corral agents and audit export (REST API)", () => {
  let server: RestTestServer;
  let slug: string;
  let key: string;
  let readOnlyKey: string;
  let orgId: string;

  beforeAll(async () => {
    server = await startRestTestServer();
    const owner = await makeUser(db);
    const org = await makeOrg(db, [{ userId: owner.id, role: "OWNER" }]);
    slug = org.slug;
    orgId = org.id;
    const web = createCaller(contextFor(db, owner));
    await web.agents.create({
      orgSlug: slug,
      name: "cli-agent",
      image: "corral/agent-base:latest",
      cpuMillis: 250,
      memoryMb: 128,
      workspaceMb: 128,
    });
    const keyOf = async (scopes: ("agent.read" | "agent.manage" | "audit.export")[]) =>
      (await web.apiKeys.create({ orgSlug: slug, name: "cli", scopes, expiresInDays: 30 })).secret;
    key = await keyOf(["agent.read", "agent.manage", "audit.export"]);
    readOnlyKey = await keyOf(["agent.read"]);
  });
  afterAll(() => server?.close());

  const api = (k = key) => ["--url", server.url, "--api-key", k, "--org", slug];

  it("lists agents as a table and as JSON", async () => {
    const json = await corral(["agents", "list", "--json", ...api()]);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.out)).toEqual([
      expect.objectContaining({ name: "cli-agent", desiredState: "STOPPED", cpuMillis: 250 }),
    ]);
    const table = await corral(["agents", "list"], {
      CORRAL_URL: server.url,
      CORRAL_API_KEY: key,
      CORRAL_ORG: slug,
    });
    expect(table.out).toMatch(/^NAME\s+DESIRED\s+OBSERVED/);
    expect(table.out).toMatch(/^cli-agent\s+stopped\s+\w+\s+0\.25\s+128 MiB\s+\w+$/m);
  });

  it("starts an agent by name, audited as the API key", async () => {
    const started = await corral(["agents", "start", "cli-agent", ...api()]);
    expect(started).toMatchObject({ status: 0, err: "" });
    expect(started.out).toMatch(/^cli-agent: desired running, now \w+\n$/);
    const agent = await db.agent.findFirstOrThrow({ where: { orgId, name: "cli-agent" } });
    expect(agent.desiredState).toBe("RUNNING");
    const event = await db.auditEvent.findFirstOrThrow({
      where: { chain: orgId, action: "agent.start_requested", targetId: agent.id },
    });
    expect(event.actorType).toBe("API_KEY");
  });

  it("says in one line what went wrong", async () => {
    const cases: [string[], number, string | RegExp][] = [
      [["agents", "start", "ghost", ...api()], 1, `No agent is named ghost in ${slug}.`],
      [
        ["agents", "stop", "cli-agent", ...api(readOnlyKey)],
        1,
        "This API key is not scoped for agent.manage. (HTTP 403)",
      ],
      [["agents", "list", ...api("crl_wrong")], 1, /^Send a valid API key .* \(HTTP 401\)$/],
      [
        ["agents", "list", "--url", "http://127.0.0.1:9", "--api-key", key, "--org", slug],
        1,
        /^Could not reach Corral at http:\/\/127\.0\.0\.1:9: /,
      ],
      [["agents", "list", "--url", server.url, "--org", slug], 2, /^Give an API key/],
      [["agents", "list", ...api(), "--org", "elsewhere"], 1, "No such organisation. (HTTP 404)"],
    ];
    for (const [args, status, message] of cases) {
      const answer = await corral(args);
      expect([args.slice(0, 3), answer.status]).toEqual([args.slice(0, 3), status]);
      const said = answer.err.replace(/^corral: /, "").replace(/\n$/, "");
      expect(said).not.toContain("\n");
      if (typeof message === "string") expect(said).toBe(message);
      else expect(said).toMatch(message);
    }
  });

  it("exports the audit log as NDJSON to standard output or a file, audited", async () => {
    const streamed = await corral(["audit", "export", "--action", "agent.", ...api()]);
    expect(streamed.status).toBe(0);
    const actions = streamed.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).action);
    expect(actions).toEqual(expect.arrayContaining(["agent.created", "agent.start_requested"]));
    expect(actions.every((a) => a.startsWith("agent."))).toBe(true);

    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "corral-cli-")), "audit.csv");
    const toFile = await corral(["audit", "export", "--format", "csv", "--output", file, ...api()]);
    expect(toFile).toMatchObject({ status: 0, out: "" });
    expect(readFileSync(file, "utf8").split("\n")[0]).toMatch(/^seq,occurredAt,actorType,/);
    expect(
      await db.auditEvent.count({ where: { chain: orgId, action: "audit.exported" } }),
    ).toBeGreaterThanOrEqual(2);

    const refused = await corral(["audit", "export", "--from", "someday", ...api()]);
    expect(refused.status).toBe(1);
    expect(refused.err).toMatch(/^corral: invalid filter from: .* \(HTTP 400\)\n$/);
  });

  it("runs as the package's bin, with its settings from the environment", async () => {
    const bin = path.resolve(import.meta.dirname, "../../bin/corral.mjs");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [bin, "agents", "list", "--json"],
      {
        env: { ...process.env, CORRAL_URL: server.url, CORRAL_API_KEY: key, CORRAL_ORG: slug },
        timeout: 60_000,
      },
    );
    expect(JSON.parse(stdout).map((a: { name: string }) => a.name)).toEqual(["cli-agent"]);
    const failed = await promisify(execFile)(process.execPath, [bin, "hosts", "drain"], {
      timeout: 60_000,
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toMatch(/missing required argument 'name'/);
  }, 120_000);
});

describe("corral itself", () => {
  it("shows help, and refuses an unknown command with status 2", async () => {
    const help = await corral(["--help"]);
    expect(help.status).toBe(0);
    for (const command of ["create-admin", "hosts", "audit", "agents"]) {
      expect(help.out).toContain(command);
    }
    const unknown = await corral(["frobnicate"]);
    expect(unknown.status).toBe(2);
    expect(unknown.err).toMatch(/unknown command 'frobnicate'/);
  });
});
