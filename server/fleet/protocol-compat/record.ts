// Records the conversation of this checkout's worker client with this checkout's worker API
// (scenario.ts), on a throwaway database, as `v<N>.conversation.json`: the fixture the next
// protocol version replays to prove that a worker one version behind keeps working.
// Run when the protocol version is bumped, before changing the client:
//   npx tsx server/fleet/protocol-compat/record.ts
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { workerApiBase } from "../../../common/worker-protocol.ts";
import { testServerUrl, uniqueDatabaseName } from "../../../test/database-server.ts";
import { dropDatabase, ensureDatabase, migrateDatabase, withDatabase } from "../../db/database.ts";
import type { Exchange } from "./conversation.ts";

const url = withDatabase(testServerUrl, uniqueDatabaseName("corral_compat"));
Object.assign(process.env, {
  DATABASE_URL: url,
  AUTH_SECRET: randomBytes(32).toString("base64url"),
  AUTH_URL: "http://localhost:3000",
  CORRAL_SECRET_KEY: randomBytes(32).toString("base64url"),
});
await ensureDatabase(url);
await migrateDatabase(url);

// Imported once the environment names the database.
const { db } = await import("../../db/client.ts");
const { startWorkerApiServer } = await import("../../../test/worker-api-server.ts");
const { ControlPlaneClient } = await import("../../../worker/control-plane/client.ts");
const { workerProtocolVersion } = await import("../../../common/worker-protocol.ts");
const scenario = await import("./scenario.ts");

const server = await startWorkerApiServer();
const exchanges: Exchange[] = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const target = new URL(String(input));
  const answer = await realFetch(input, init);
  const text = await answer.clone().text();
  const headers = Object.fromEntries(
    Object.entries((init?.headers ?? {}) as Record<string, string>).filter(
      ([name]) => name !== "authorization",
    ),
  );
  exchanges.push({
    request: {
      method: init?.method ?? "GET",
      path: `${target.pathname.replace(`${workerApiBase}/`, "")}${target.search}`,
      headers,
      ...(init?.body ? { body: JSON.parse(String(init.body)) } : {}),
    },
    response: { status: answer.status, ...(text ? { body: JSON.parse(text) } : {}) },
  });
  return answer;
};

try {
  const pool = scenario.newPool();
  const client = new ControlPlaneClient(server.url);
  const token = await scenario.enrolmentToken(db());
  const host = scenario.compatHostReport(pool);
  const enrolled = await client.enrol({ ...host, token });
  client.credential = enrolled.credential;
  await client.heartbeat(host);
  const placed = await scenario.placeAgent(db(), pool);
  exchanges.push({ operator: "placeAgent" });
  const state = await client.desired(-1, 0);
  await client.desired(state?.version ?? 0, 0);
  await client.report(scenario.reportFor(placed.tenantId, placed.agentId));
  await client.relay(
    "POST",
    "tasks/next",
    { agentId: placed.agentId, generation: 1, runId: "compat-run", waitSeconds: 0 },
    10_000,
  );

  // Values of this run become placeholders the replay fills with its own.
  let text = JSON.stringify({ protocolVersion: workerProtocolVersion, exchanges }, null, 2);
  const values: [string, string][] = [
    [token, "$token"],
    [enrolled.credential, "$credential"],
    [enrolled.hostId, "$hostId"],
    [placed.tenantId, "$tenantId"],
    [placed.tenantSlug, "$tenantSlug"],
    [placed.agentId, "$agentId"],
    [pool, "$pool"],
  ];
  for (const [value, placeholder] of values) text = text.replaceAll(value, placeholder);
  text = text.replace(/after=\d+/g, (m) => (m === "after=-1" ? m : "after=$version"));
  const file = path.join(import.meta.dirname, `v${workerProtocolVersion}.conversation.json`);
  await writeFile(file, `${text}\n`);
  console.log(`recorded ${exchanges.length} exchanges to ${file}`);
} finally {
  globalThis.fetch = realFetch;
  await server.stop();
  await db().$disconnect();
  await dropDatabase(url);
}
