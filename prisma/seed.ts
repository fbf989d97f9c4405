// Demo data for the quickstart: one organisation and its owner. Idempotent; re-running it
// resets the demo user's password to the one given, so printed credentials always work.
import { pathToFileURL } from "node:url";
import { defaultAgentImage } from "../server/agents/schemas.ts";
import { recordAuditEvent } from "../server/audit/record.ts";
import { hashPassword } from "../server/auth/password.ts";
import { createDb, type Db } from "../server/db/client.ts";

export const demo = {
  email: "demo@corral.dev",
  name: "Dana Demo",
  orgSlug: "acme",
  orgName: "Acme Robotics",
} as const;

export async function seedDemo(db: Db, password: string): Promise<void> {
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
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const url = process.env.DATABASE_URL;
  const password = process.env.CORRAL_DEMO_PASSWORD;
  if (!url || !password) {
    console.error("seed: set DATABASE_URL and CORRAL_DEMO_PASSWORD (npm run up does both)");
    process.exit(1);
  }
  const db = createDb(url);
  await seedDemo(db, password);
  await db.$disconnect();
  console.log(`seed: demo user ${demo.email} in organisation "${demo.orgName}"`);
}
