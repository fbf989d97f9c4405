// The CLI's commands that go through the public REST API with the typed client, as any
// script would: agents (list, start, stop) and the audit export. They need where Corral is
// served, an organisation API key and the organisation's slug.
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { Command } from "commander";
import { type CorralClient, corralClient } from "../openapi/client.ts";
import { CliError, type CliIo, line, printJson, printTable } from "./io.ts";

export interface ApiOptions {
  url?: string;
  apiKey?: string;
  org?: string;
}

interface Api {
  client: CorralClient;
  org: string;
}

/** The client and organisation from the options, else CORRAL_URL, CORRAL_API_KEY, CORRAL_ORG. */
function connect(io: CliIo, opts: ApiOptions): Api {
  const url = opts.url ?? io.env.CORRAL_URL;
  const apiKey = opts.apiKey ?? io.env.CORRAL_API_KEY;
  const org = opts.org ?? io.env.CORRAL_ORG;
  if (!url) throw new CliError("Say where Corral is: --url or CORRAL_URL.", 2);
  if (!apiKey) throw new CliError("Give an API key: --api-key or CORRAL_API_KEY.", 2);
  if (!org) throw new CliError("Name the organisation: --org <slug> or CORRAL_ORG.", 2);
  try {
    new URL(url);
  } catch {
    throw new CliError(`${url} is not a web address (such as https://corral.example.com).`, 2);
  }
  return { client: corralClient({ url, apiKey }), org };
}

/** The API's refusal in one line: its message and the HTTP status. */
function refusal(response: Response, body: unknown): CliError {
  const said =
    body && typeof body === "object"
      ? ((body as { message?: unknown; error?: unknown }).message ??
        (body as { error?: unknown }).error)
      : undefined;
  const text = typeof said === "string" ? said : response.statusText || "refused";
  return new CliError(`${text} (HTTP ${response.status})`);
}

/** Runs one API call, turning a refusal or an unreachable server into a CliError. */
async function call<T>(
  url: string | undefined,
  request: () => Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let answer: Awaited<ReturnType<typeof request>>;
  try {
    answer = await request();
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    throw new CliError(
      `Could not reach Corral at ${url}: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
  if (answer.error !== undefined || answer.data === undefined) {
    throw refusal(answer.response, answer.error);
  }
  return answer.data;
}

async function agentByName(api: Api, url: string | undefined, name: string) {
  const { agents } = await call(url, () =>
    api.client.GET("/orgs/{orgSlug}/agents", { params: { path: { orgSlug: api.org } } }),
  );
  const agent = agents.find((a) => a.name === name);
  if (!agent) throw new CliError(`No agent is named ${name} in ${api.org}.`);
  return agent;
}

function withApiOptions(command: Command): Command {
  return command
    .option("--url <url>", "where Corral is served (default: CORRAL_URL)")
    .option("--api-key <key>", "an organisation API key, crl_… (default: CORRAL_API_KEY)")
    .option("--org <slug>", "the organisation (default: CORRAL_ORG)");
}

export function apiCommands(root: Command, audit: Command, io: CliIo): void {
  const agents = root.command("agents").description("the organisation's agents (REST API)");

  withApiOptions(agents.command("list").description("agents with their states"))
    .option("--json", "as JSON")
    .action(async (opts: ApiOptions & { json?: boolean }) => {
      const api = connect(io, opts);
      const list = await call(opts.url ?? io.env.CORRAL_URL, () =>
        api.client.GET("/orgs/{orgSlug}/agents", { params: { path: { orgSlug: api.org } } }),
      );
      if (opts.json) return printJson(io, list.agents);
      printTable(
        io,
        ["NAME", "DESIRED", "OBSERVED", "CPU", "MEMORY", "ID"],
        list.agents.map((a) => [
          a.name,
          a.desiredState.toLowerCase(),
          a.observedState.toLowerCase(),
          a.cpuMillis / 1000,
          `${a.memoryMb} MiB`,
          a.id,
        ]),
      );
    });

  for (const verb of ["start", "stop"] as const) {
    withApiOptions(
      agents
        .command(verb)
        .description(`ask for an agent to ${verb === "start" ? "run" : "stop"}`)
        .argument("<name>", "the agent's name"),
    ).action(async (name: string, opts: ApiOptions) => {
      const api = connect(io, opts);
      const url = opts.url ?? io.env.CORRAL_URL;
      const agent = await agentByName(api, url, name);
      const params = { params: { path: { orgSlug: api.org, agentId: agent.id } } };
      const after = await call(url, () =>
        verb === "start"
          ? api.client.POST("/orgs/{orgSlug}/agents/{agentId}/start", params)
          : api.client.POST("/orgs/{orgSlug}/agents/{agentId}/stop", params),
      );
      line(
        io,
        `${after.name}: desired ${after.desiredState.toLowerCase()}, now ${after.observedState.toLowerCase()}`,
      );
    });
  }

  withApiOptions(
    audit
      .command("export")
      .description("the organisation's audit log as CSV or NDJSON, streamed (REST API)"),
  )
    .option("--format <format>", "csv or ndjson", "ndjson")
    .option("--action <action>", "an action, or a prefix ending in . (member.)")
    .option("--actor <actor>", "actor id or part of a name")
    .option("--target <target>", "target id or part of a name")
    .option("--outcome <outcome>", "SUCCESS, FAILURE or DENIED")
    .option("--from <date>", "events at or after this time (ISO 8601)")
    .option("--to <date>", "events before this time (ISO 8601)")
    .option("--output <file>", "write to this file instead of standard output")
    .action(async (opts: ApiOptions & Record<string, string | undefined>) => {
      const api = connect(io, opts);
      const { format, action, actor, target, outcome, from, to, output } = opts;
      if (format !== "csv" && format !== "ndjson") {
        throw new CliError("--format is csv or ndjson.", 2);
      }
      const query = Object.fromEntries(
        Object.entries({ format, action, actor, target, outcome, from, to }).filter(
          ([, v]) => v !== undefined,
        ),
      ) as { format: "csv" | "ndjson" };
      const body = await call(opts.url ?? io.env.CORRAL_URL, () =>
        api.client.GET("/orgs/{orgSlug}/audit/export", {
          params: { path: { orgSlug: api.org }, query },
          parseAs: "stream",
        }),
      );
      const rows = Readable.fromWeb(body as WebReadableStream<Uint8Array>);
      if (output) await pipeline(rows, createWriteStream(output));
      else await pipeline(rows, io.out, { end: false });
    });
}
