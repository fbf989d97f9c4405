// A small organisation to fuzz against: one person per role (plus an operator), each asking
// through a real Auth.js session cookie and through an API key of their own, and one of each
// thing a procedure can name (agent, secret, grant, task, schedule, webhook, invitation, key,
// member, host), so fuzzed ids often hit real rows. Fresh per test: what one test deletes or
// revokes never changes what another sees.
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { encode } from "next-auth/jwt";
import { keyScopes } from "../../server/api-keys/schemas.ts";
import { can } from "../../server/auth/permissions.ts";
import { createSession } from "../../server/auth/sessions.ts";
import type { Db } from "../../server/db/client.ts";
import type { Role } from "../../server/db/generated/enums.ts";
import { createCaller } from "../../server/root-router.ts";
import { contextFor, makeOrg, makeUser, testRequest } from "../db.ts";
import { enrolTestHost } from "../fleet.ts";
import type { Hints } from "./zod-arbitrary.ts";

export interface Caller {
  /** "owner (session)", "viewer (API key)", "signed out"… */
  name: string;
  /** The organisation role behind the caller, if any. */
  role: Role | null;
  headers: Record<string, string>;
}

// Auth.js names its cookie after the scheme of AUTH_URL (http here: no __Secure- prefix).
const sessionCookie = "authjs.session-token";

async function sessionHeader(db: Db, userId: string): Promise<string> {
  const sid = await db.$transaction((tx) => createSession(tx, userId, 1, {}));
  const secret = process.env.AUTH_SECRET;
  if (!secret) throw new Error("AUTH_SECRET is not set (test/global-setup.ts sets it)");
  const token = await encode({ token: { sid }, secret, salt: sessionCookie });
  return `${sessionCookie}=${token}`;
}

export async function makeWorld(db: Db) {
  const tag = randomBytes(4).toString("hex");
  // Rate limits count per address: each world asks from its own.
  const [a = 0, b = 0, c = 0] = randomBytes(3);
  const address = `10.${a}.${b}.${c}`;
  const base = { "x-forwarded-for": address, "user-agent": "fuzz" };

  const [owner, admin, member, viewer, bystander, operator] = await Promise.all(
    Array.from({ length: 6 }, () => makeUser(db)),
  );
  if (!owner || !admin || !member || !viewer || !bystander || !operator)
    throw new Error("no users");
  const people: [Role, typeof owner][] = [
    ["OWNER", owner],
    ["ADMIN", admin],
    ["MEMBER", member],
    ["VIEWER", viewer],
  ];
  await db.user.update({ where: { id: operator.id }, data: { isOperator: true } });
  const org = await makeOrg(db, [
    ...people.map(([role, person]) => ({ userId: person.id, role })),
    { userId: bystander.id, role: "MEMBER" },
  ]);
  const orgSlug = org.slug;

  const asPerson = async ([role, person]: [Role, typeof owner]): Promise<Caller[]> => {
    const api = createCaller(contextFor(db, person));
    const name = role.toLowerCase();
    const [key, cookie] = await Promise.all([
      api.apiKeys.create({
        orgSlug,
        name: `fuzz ${name}`,
        scopes: keyScopes.filter((p) => can(role, p)),
        expiresInDays: 1,
      }),
      sessionHeader(db, person.id),
    ]);
    return [
      { name: `${name} (session)`, role, headers: { ...base, cookie } },
      {
        name: `${name} (API key)`,
        role,
        headers: { ...base, authorization: `Bearer ${key.secret}` },
      },
    ];
  };
  const callers: Caller[] = [
    { name: "signed out", role: null, headers: base },
    ...(await Promise.all(people.map(asPerson))).flat(),
    {
      name: "operator (session)",
      role: null,
      headers: { ...base, cookie: await sessionHeader(db, operator.id) },
    },
  ];

  // One of each thing, made the way a person makes it.
  const api = createCaller({
    ...contextFor(db, owner),
    request: { ...testRequest, ipAddress: address },
  });
  // The organisation's sandbox goes to this world's own host, so the host's reports and
  // the task contract can name a real agent.
  const host = await enrolTestHost(db, `fuzz-${tag}`, { labels: { pool: tag } });
  await db.organization.update({ where: { id: org.id }, data: { placementLabels: { pool: tag } } });
  const [agent, secret, webhook, invitation, key] = await Promise.all([
    api.agents.create({
      orgSlug,
      name: "fuzz-agent",
      image: "corral/agent-base:latest",
      cpuMillis: 250,
      memoryMb: 128,
      workspaceMb: 128,
      start: true,
    }),
    api.secrets.create({ orgSlug, name: "FUZZ_TOKEN", value: "sk-fuzz" }),
    api.auditSettings.createWebhook({ orgSlug, url: "https://hooks.example.test/fuzz" }),
    api.invitations.create({ orgSlug, email: `invitee-${tag}@example.test`, role: "MEMBER" }),
    api.apiKeys.create({ orgSlug, name: "fuzz spare", scopes: ["org.read"], expiresInDays: 1 }),
  ]);
  const [grant, task, schedule] = await Promise.all([
    api.secrets.grant({
      orgSlug,
      secretId: secret.id,
      agentId: agent.id,
      hosts: ["api.example.test"],
      headerName: "x-api-key",
    }),
    api.tasks.create({ orgSlug, agentId: agent.id, prompt: "fuzz" }),
    api.schedules.create({
      orgSlug,
      agentId: agent.id,
      name: "fuzz",
      cron: "0 3 * * *",
      prompt: "fuzz",
    }),
  ]);

  const ids: Record<string, string> = {
    orgSlug,
    tenantId: org.id,
    agentId: agent.id,
    secretId: secret.id,
    grantId: grant.id,
    taskId: task.id,
    scheduleId: schedule.id,
    webhookId: webhook.id,
    invitationId: invitation.invitationId,
    keyId: key.id,
    userId: bystander.id,
    hostId: host.hostId,
  };
  /** Keys naming a real row get it four times in five (then whatever the schema allows). */
  const hints: Hints = (key, generated) => {
    const id = ids[key];
    return id === undefined
      ? generated
      : fc.oneof({ weight: 4, arbitrary: fc.constant(id) }, { weight: 1, arbitrary: generated });
  };
  return { org, callers, hints, ids, host, agent };
}

export type World = Awaited<ReturnType<typeof makeWorld>>;
