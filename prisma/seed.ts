// Demo data for the quickstart: one organisation and its owner. Idempotent; re-running it
// resets the demo user's password to the one given, so printed credentials always work.
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import { defaultAgentImage, runtimeAgentImage } from "../server/agents/schemas.ts";
import { recordAuditEvent } from "../server/audit/record.ts";
import { hashPassword } from "../server/auth/password.ts";
import { deriveKey } from "../server/crypto/keys.ts";
import { seal } from "../server/crypto/secret-box.ts";
import { createDb, type Db } from "../server/db/client.ts";

export const demo = {
  email: "demo@corral.dev",
  name: "Dana Demo",
  orgSlug: "acme",
  orgName: "Acme Robotics",
} as const;

/** Where the demo model listens, as agents name it (the gateway resolves it to loopback). */
export const demoModel = { host: "demo-model.corral", port: 4590 } as const;

export interface DemoCoderOptions {
  /** The deployment's master key, to seal the demo model's key. */
  secretKey: string;
  /** Where the demo model listens (npm run up starts it). */
  demoModelPort?: number;
}

export async function seedDemo(db: Db, password: string, coder?: DemoCoderOptions): Promise<void> {
  const passwordHash = await hashPassword(password);
  await db.$transaction(async (tx) => {
    const user = await tx.user.upsert({
      where: { email: demo.email },
      // The demo user also operates this local deployment (the fleet page).
      create: {
        email: demo.email,
        name: demo.name,
        passwordHash,
        emailVerifiedAt: new Date(),
        isOperator: true,
      },
      update: { passwordHash, isOperator: true },
    });
    if (await tx.organization.findUnique({ where: { slug: demo.orgSlug } })) return;
    const org = await tx.organization.create({ data: { slug: demo.orgSlug, name: demo.orgName } });
    await tx.membership.create({ data: { orgId: org.id, userId: user.id, role: "OWNER" } });
    const actor = { type: "SYSTEM" as const, name: "demo seed" };
    await recordAuditEvent(tx, {
      orgId: org.id,
      actor,
      action: "org.created",
      target: { type: "organization", id: org.id, name: org.name },
    });
    await recordAuditEvent(tx, {
      orgId: org.id,
      actor,
      action: "member.added",
      target: { type: "user", id: user.id, name: user.email },
      metadata: { role: "OWNER" },
    });
    // A running agent, so the dashboard shows one from the first start: the local worker
    // picks it up once its sandbox is placed (the job runner places it within seconds).
    const agent = await tx.agent.create({
      data: {
        orgId: org.id,
        name: "hello-agent",
        image: defaultAgentImage,
        command: [
          "sh",
          "-c",
          "echo hello from the demo agent; while true; do date; sleep 30; done",
        ],
        env: { GREETING: "hello" },
        cpuMillis: 250,
        memoryMb: 64,
        workspaceMb: 128,
        desiredState: "RUNNING",
        observedState: "PENDING",
      },
    });
    await tx.sandbox.create({ data: { orgId: org.id } });
    await recordAuditEvent(tx, {
      orgId: org.id,
      actor,
      action: "agent.created",
      target: { type: "agent", id: agent.id, name: agent.name },
      metadata: { after: { image: agent.image, desiredState: "RUNNING" } },
    });
  });
  if (coder) await seedDemoCoder(db, coder);
}

/**
 * A coding agent on the default runtime, talking to the demo model (a local stand-in for a
 * model provider, clearly named) through the gateway, with a demo key granted the real way:
 * sealed in Secrets, added by the gateway, a placeholder in the agent. Idempotent.
 */
async function seedDemoCoder(
  db: Db,
  { secretKey, demoModelPort = demoModel.port }: DemoCoderOptions,
) {
  const org = await db.organization.findUnique({ where: { slug: demo.orgSlug } });
  if (
    !org ||
    (await db.agent.findUnique({ where: { orgId_name: { orgId: org.id, name: "demo-coder" } } }))
  )
    return;
  await db.$transaction(async (tx) => {
    const actor = { type: "SYSTEM" as const, name: "demo seed" };
    const secret = await tx.secret.create({
      data: {
        orgId: org.id,
        name: "DEMO_MODEL_KEY",
        description: "Key for the demo model (a local stand-in for a model provider)",
        valueSealed: seal(
          `demo-${randomBytes(16).toString("hex")}`,
          deriveKey("secret-box", secretKey),
        ),
      },
    });
    const agent = await tx.agent.create({
      data: {
        orgId: org.id,
        name: "demo-coder",
        image: runtimeAgentImage,
        command: [],
        env: {
          ANTHROPIC_BASE_URL: `http://${demoModel.host}:${demoModelPort}`,
          CORRAL_MODEL: "corral-demo-model",
        },
        cpuMillis: 500,
        memoryMb: 256,
        workspaceMb: 256,
        desiredState: "RUNNING",
        observedState: "PENDING",
        egressPreset: "MODEL_PROVIDER",
        instructions:
          "You are the demo coding agent. Work in /workspace and keep notes in MEMORY.md.",
      },
    });
    await tx.secretGrant.create({
      data: {
        orgId: org.id,
        secretId: secret.id,
        agentId: agent.id,
        hosts: [demoModel.host],
        headerName: "x-api-key",
        headerTemplate: "{value}",
        placeholderEnv: "ANTHROPIC_API_KEY",
      },
    });
    if (!(await tx.sandbox.findUnique({ where: { orgId: org.id } })))
      await tx.sandbox.create({ data: { orgId: org.id } });
    await recordAuditEvent(tx, {
      orgId: org.id,
      actor,
      action: "agent.created",
      target: { type: "agent", id: agent.id, name: agent.name },
      metadata: { after: { image: agent.image, desiredState: "RUNNING", model: "demo model" } },
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const url = process.env.DATABASE_URL;
  const password = process.env.CORRAL_DEMO_PASSWORD;
  if (!url || !password) {
    console.error("seed: set DATABASE_URL and CORRAL_DEMO_PASSWORD (npm run up does both)");
    process.exit(1);
  }
  const db = createDb(url);
  const secretKey = process.env.CORRAL_SECRET_KEY;
  await seedDemo(db, password, secretKey ? { secretKey } : undefined);
  await db.$disconnect();
  console.log(`seed: demo user ${demo.email} in organisation "${demo.orgName}"`);
}
