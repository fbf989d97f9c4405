// The one conversation a worker holds with the control plane, the same for recording a
// protocol version (record.ts) and for replaying an older one (n-minus-1.test.ts): enrol,
// heartbeat, an agent placed on the host (by the operator, between two requests), the
// desired state at once and then unchanged, a report on that agent, and an agent asking
// for work when there is none.
import { randomBytes } from "node:crypto";
import type { HostReport } from "../../../common/worker-protocol.ts";
import { createAgentSchema } from "../../agents/schemas.ts";
import { createAgent } from "../../agents/service.ts";
import type { Db } from "../../db/client.ts";
import { createEnrolmentToken } from "../enrolment.ts";

const operator = { type: "SYSTEM" as const, name: "protocol-compat" };

/** What the host says about itself: unique per run so the agent lands on this host only. */
export function compatHostReport(pool: string): HostReport {
  return {
    name: `compat-${pool}`,
    version: "0.1.0",
    labels: { pool },
    engine: {
      serverVersion: "20.10.24",
      operatingSystem: "Debian GNU/Linux 12 (bookworm)",
      cpus: 4,
      memoryBytes: 8 * 1024 ** 3,
      containers: 0,
      runtimes: ["runc"],
    },
    driver: { name: "engine-container", healthy: true, capacity: { cpus: 4, memoryMb: 8192 } },
  };
}

export const newPool = () => randomBytes(4).toString("hex");

export async function enrolmentToken(db: Db): Promise<string> {
  const { token } = await createEnrolmentToken(
    db,
    operator,
    { description: "protocol-compat", ttlHours: 1 },
    {},
  );
  return token;
}

/** The operator's part between two worker requests: a tenant's agent placed on the host. */
export async function placeAgent(db: Db, pool: string) {
  const id = randomBytes(4).toString("hex");
  const user = await db.user.create({
    data: { email: `compat-${id}@example.test`, name: "Compat", emailVerifiedAt: new Date() },
  });
  const org = await db.organization.create({
    data: {
      slug: `compat-${id}`,
      name: `Compat ${id}`,
      placementLabels: { pool },
      cpuQuotaMillis: 2000,
      memoryQuotaMb: 2048,
      memberships: { create: [{ userId: user.id, role: "ADMIN" }] },
    },
  });
  const acting = {
    user: { id: user.id, email: user.email, name: user.name, emailVerified: true },
    role: "ADMIN" as const,
    audit: { type: "USER" as const, id: user.id, name: user.email },
  };
  const input = createAgentSchema.parse({
    name: "scout",
    image: "corral/agent-base:latest",
    cpuMillis: 500,
    memoryMb: 256,
    workspaceMb: 256,
    start: true,
  });
  const agent = await createAgent(db, acting, org.id, input, {});
  return { tenantId: org.id, tenantSlug: org.slug, agentId: agent.id };
}

/** The report a worker sends once the placed agent runs. */
export function reportFor(tenantId: string, agentId: string) {
  const at = "2026-11-30T12:00:00.000Z";
  return {
    sandboxes: [{ tenantId, state: "READY" as const }],
    agents: [{ agentId, generation: 1, state: "RUNNING" as const, restartCount: 0, startedAt: at }],
    logs: [{ agentId, lines: [{ at, stream: "stdout" as const, text: "hello from scout" }] }],
    stats: [
      {
        agentId,
        cpuPercent: 1.5,
        memoryBytes: 12_345_678,
        memoryLimitBytes: 268_435_456,
        pids: 3,
      },
    ],
    egress: {
      decisions: [
        {
          agentId,
          at,
          allowed: false,
          host: "example.com",
          port: 443,
          method: "CONNECT",
          path: "",
          reason: "no rule allows example.com",
        },
      ],
      uses: [],
      allowed: [],
    },
    disk: {
      sandboxes: [{ tenantId, usedBytes: 1_000_000, sizeBytes: 2_147_483_648 }],
      workspaces: [{ agentId, usedBytes: 4096, sizeBytes: 268_435_456 }],
    },
  };
}
