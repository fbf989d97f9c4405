// `corral`, the operator's command line (bin/corral.mjs runs this). Two kinds of command:
//   - on the database (create-admin, hosts, audit verify): run on a server with the web
//     app's environment (DATABASE_URL, AUTH_SECRET, …), through the same procedures and
//     services as the web app, so checks and audit events are the same;
//   - over the REST API (agents, audit export): from anywhere, with the typed client and an
//     organisation API key (--url/--api-key or CORRAL_URL/CORRAL_API_KEY).
// `run` returns the exit status instead of exiting, so tests call it in-process.
import { Command, CommanderError, Option } from "commander";
import { describeError } from "../../common/errors.ts";
import { recordAuditEvent } from "../audit/record.ts";
import { verifyAllChains } from "../audit/verify.ts";
import { chainReportLine, chainsSummaryLine } from "../audit/verify-report.ts";
import { createDb, type Db } from "../db/client.ts";
import { apiCommands } from "./api-commands.ts";
import { createAdmin, generatedPassword } from "./create-admin.ts";
import { CliError, type CliIo, line, printJson, printTable, processIo, readStdin } from "./io.ts";
import { cliRequest, operatorCaller } from "./operator.ts";

/** A database client for one command, from the same DATABASE_URL the web app reads. */
async function withDb<T>(io: CliIo, use: (db: Db) => Promise<T>): Promise<T> {
  const url = io.env.DATABASE_URL;
  if (!url) {
    throw new CliError(
      "Set DATABASE_URL (and the web app's other settings): this command works on the database.",
      2,
    );
  }
  const db = createDb(url);
  try {
    return await use(db);
  } finally {
    await db.$disconnect();
  }
}

function program(io: CliIo): Command {
  const root = new Command("corral")
    .description("Operate a Corral deployment and automate its organisations.")
    .showHelpAfterError("(add --help for usage)")
    .configureOutput({
      writeOut: (s) => io.out.write(s),
      writeErr: (s) => io.err.write(s),
    })
    .exitOverride();

  const asOption = () =>
    new Option("--as <email>", "the operator acting (default: CORRAL_OPERATOR, or the only one)");
  const operator = (db: Db, opts: { as?: string }) =>
    operatorCaller(db, opts.as ?? io.env.CORRAL_OPERATOR);

  root
    .command("create-admin")
    .description("create the deployment's first operator (an account that may run the fleet)")
    .requiredOption("--email <address>", "their email address (counts as verified)")
    .requiredOption("--name <name>", "their name")
    .option("--password-stdin", "read the password from standard input")
    .addHelpText(
      "after",
      "\nWithout --password-stdin (or CORRAL_ADMIN_PASSWORD) a password is generated and shown once.",
    )
    .action(async (opts: { email: string; name: string; passwordStdin?: boolean }) => {
      const given = opts.passwordStdin ? await readStdin(io) : io.env.CORRAL_ADMIN_PASSWORD;
      const password = given || generatedPassword();
      const user = await withDb(io, (db) =>
        createAdmin(db, { email: opts.email, name: opts.name, password }, cliRequest()),
      );
      line(io, `Created operator ${user.email} (${user.id}).`);
      if (!given) line(io, `Password (shown once): ${password}`);
    });

  const hosts = root.command("hosts").description("the fleet of worker hosts");

  hosts
    .command("token")
    .description("mint a one-time enrolment token for a new worker host")
    .option("--host <name>", "only a worker of this name may use it")
    .option("--replace", "it may replace a live host of that name (a reinstall)")
    .option("--ttl-hours <hours>", "hours it stays valid (1-168)", "24")
    .option("--description <text>", "what it is for", "")
    .addOption(asOption())
    .action(async (opts) => {
      const ttlHours = Number(opts.ttlHours);
      const made = await withDb(io, async (db) =>
        (await operator(db, opts)).fleet.createEnrolmentToken({
          description: opts.description,
          ttlHours,
          ...(opts.host && { hostName: opts.host }),
          replaceHost: Boolean(opts.replace),
        }),
      );
      line(io, made.token);
      io.err.write(`Valid until ${made.expiresAt.toISOString()}; it is shown only now.\n`);
    });

  hosts
    .command("list")
    .description("hosts with their state, capacity and sandboxes")
    .option("--json", "as JSON")
    .addOption(asOption())
    .action(async (opts) => {
      const list = await withDb(io, async (db) => (await operator(db, opts)).fleet.hosts());
      if (opts.json) return printJson(io, list);
      printTable(
        io,
        ["NAME", "STATE", "CPU", "MEMORY", "SANDBOXES", "DRIVER", "LAST HEARTBEAT"],
        list.map((h) => [
          h.name,
          hostState(h),
          `${h.usedMillis / 1000}/${h.capacityMillis / 1000}`,
          `${h.usedMemoryMb}/${h.capacityMemoryMb} MiB`,
          h.sandboxes.length,
          h.driver,
          h.lastHeartbeatAt.toISOString(),
        ]),
      );
    });

  hosts
    .command("drain")
    .description("move every sandbox off a host and give it no new ones")
    .argument("<name>", "the host's name")
    .addOption(asOption())
    .action(async (name: string, opts) => {
      await withDb(io, async (db) => {
        const caller = await operator(db, opts);
        const host = (await caller.fleet.hosts()).find((h) => h.name === name);
        if (!host) throw new CliError(`No host is named ${name} (see corral hosts list).`);
        await caller.fleet.setHostState({ hostId: host.id, state: "drain" });
      });
      line(io, `Draining ${name}: its sandboxes are being placed on other hosts.`);
    });

  const audit = root.command("audit").description("the audit log");

  audit
    .command("verify")
    .description("recompute every audit chain and name the first broken event (exit 1 if any)")
    .action(async () => {
      const broken = await withDb(io, async (db) => {
        const reports = await verifyAllChains(db);
        for (const r of reports) line(io, chainReportLine(r));
        line(io, chainsSummaryLine(reports));
        const broken = reports.filter((r) => !r.ok);
        // The web's Verify button records each check; so does this, on the platform chain.
        const request = cliRequest();
        await db.$transaction((tx) =>
          recordAuditEvent(tx, {
            actor: { type: "SYSTEM", name: "corral audit verify" },
            action: "audit.verified",
            outcome: broken.length ? "FAILURE" : "SUCCESS",
            request,
            metadata: { chains: reports.length, broken: broken.map((r) => r.chain) },
          }),
        );
        return broken.length;
      });
      if (broken) throw new CliError(`${broken} audit chain(s) broken.`);
    });

  apiCommands(root, audit, io);
  return root;
}

function hostState(h: {
  live: boolean;
  revokedAt: Date | null;
  lostAt: Date | null;
  draining: boolean;
  cordoned: boolean;
}): string {
  if (h.revokedAt) return "revoked";
  if (h.lostAt) return "lost";
  const health = h.live ? "live" : "silent";
  if (h.draining) return `${health},draining`;
  if (h.cordoned) return `${health},cordoned`;
  return health;
}

/** Runs one command line (without `node` and the script); resolves to the exit status. */
export async function run(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    await program(io).parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are exits too; commander already printed what went wrong.
      return error.exitCode === 0 ? 0 : 2;
    }
    const status = error instanceof CliError ? error.exitCode : 1;
    io.err.write(`corral: ${describeError(error)}\n`);
    return status;
  }
}
