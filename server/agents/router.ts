// Agents of one organisation: list, look at one (history, logs, stats), create, change,
// start/stop/restart, delete.
import { z } from "zod";
import { whenChanged } from "../core/live.ts";
import { ReadCache } from "../core/read-cache.ts";
import { createTRPCRouter, tenantProcedure } from "../core/trpc.ts";
import { type Db, isProcessDb } from "../db/client.ts";
import type { SandboxState } from "../db/generated/enums.ts";
import { unscoped } from "../db/tenant-scope.ts";
import { quotaUseOf } from "./quotas.ts";
import { createAgentSchema, updateAgentSchema } from "./schemas.ts";
import { commandAgent, createAgent, deleteAgent, updateAgent } from "./service.ts";

const agentId = z.object({ agentId: z.string().min(1).max(64) });

type Org = { id: string; agentLimit: number; cpuQuotaMillis: number; memoryQuotaMb: number };

async function agentDetail(db: Db, orgId: string, id: string) {
  const [agent, sandbox] = await Promise.all([
    db.agent.findFirst({
      where: { id, orgId },
      include: { events: { orderBy: { createdAt: "desc" }, take: 50 } },
    }),
    db.sandbox.findUnique({ where: { orgId }, select: { isolation: true } }),
  ]);
  // The wall it runs behind (MICROVM or CONTAINER), null until its sandbox is placed.
  return agent && { ...agent, isolation: sandbox?.isolation ?? null };
}

async function agentLogs(db: Db, orgId: string, id: string, limit: number) {
  const lines = await db.agentLogLine.findMany({
    where: { agentId: id, agent: { orgId } },
    orderBy: { id: "desc" },
    take: limit,
  });
  return lines
    .reverse()
    .map((l) => ({ id: l.id.toString(), at: l.at, stream: l.stream, text: l.text }));
}

async function agentStats(db: Db, orgId: string, id: string) {
  const samples = await db.agentStatsSample.findMany({
    where: { agentId: id, agent: { orgId } },
    orderBy: { at: "desc" },
    take: 120,
  });
  return samples.reverse().map((s) => ({
    at: s.at,
    cpuPercent: s.cpuPercent,
    memoryBytes: Number(s.memoryBytes),
    memoryLimit: Number(s.memoryLimit),
    pids: s.pids,
  }));
}

/**
 * An organisation's agents and its sandbox. One transaction (one RLS scope, one connection)
 * for both reads: a statement of its own each would cost a scoped transaction each.
 */
async function readAgentsPage(db: Db, orgId: string) {
  return db.$transaction(async (tx) => ({
    agents: await tx.agent.findMany({ where: { orgId }, orderBy: { name: "asc" } }),
    // With its host's name in the same statement (Prisma's nested select would take two).
    sandbox: (
      await tx.$queryRaw<
        { state: SandboxState; reason: string | null; hostId: string | null; host: string | null }[]
      >`
        SELECT s.state::text AS state, s.reason, s."hostId", h.name AS host
        FROM "Sandbox" s LEFT JOIN "WorkerHost" h ON h.id = s."hostId"
        WHERE s."orgId" = ${orgId}`
    )[0],
  }));
}

type AgentsPage = Awaited<ReturnType<typeof readAgentsPage>>;
// The page is read by every open agents page every second (watch) and by every list call;
// it is kept until one of the organisation's agents, its sandbox or its host's name changes.
const pages = new ReadCache<AgentsPage>({ ttlMs: 60_000, maxEntries: 5_000 }, isProcessDb);

/**
 * Agents with their states, the sandbox, and quota use: the agents page in one answer, the
 * quota use counted from the agents already read.
 */
async function agentsOverview(db: Db, org: Org) {
  const page = await pages.read(unscoped(db), org.id, async () => {
    const read = await readAgentsPage(db, org.id);
    const host = read.sandbox?.hostId ? [`host:${read.sandbox.hostId}`] : [];
    return { value: read, tags: [`agents:${org.id}`, ...host] };
  });
  // The loader always returns a page, so read() does too.
  const { agents, sandbox } = page as AgentsPage;
  const used = quotaUseOf(agents);
  return {
    agents,
    sandbox: sandbox ? { state: sandbox.state, reason: sandbox.reason, host: sandbox.host } : null,
    quota: {
      used,
      limits: {
        agents: org.agentLimit,
        cpuMillis: org.cpuQuotaMillis,
        memoryMb: org.memoryQuotaMb,
      },
    },
  };
}

export const agentsRouter = createTRPCRouter({
  list: tenantProcedure("agent.read").query(({ ctx }) => agentsOverview(ctx.db, ctx.org)),

  /**
   * The same as `list`, pushed over server-sent events whenever it changes (checked every
   * second on the server), so pages update without reloading.
   */
  watch: tenantProcedure("agent.read").subscription(({ ctx, signal }) =>
    whenChanged(() => agentsOverview(ctx.db, ctx.org), signal),
  ),

  get: tenantProcedure("agent.read")
    .input(agentId)
    .query(({ ctx, input }) => agentDetail(ctx.db, ctx.org.id, input.agentId)),

  /** One agent with its history, its latest log lines and stats, pushed as they change. */
  watchOne: tenantProcedure("agent.read")
    .input(agentId)
    .subscription(({ ctx, input, signal }) =>
      whenChanged(async () => {
        const [agent, logs, stats] = await Promise.all([
          agentDetail(ctx.db, ctx.org.id, input.agentId),
          agentLogs(ctx.db, ctx.org.id, input.agentId, 500),
          agentStats(ctx.db, ctx.org.id, input.agentId),
        ]);
        return { agent, logs, stats };
      }, signal),
    ),

  logs: tenantProcedure("agent.read")
    .input(agentId.extend({ limit: z.number().int().min(1).max(2000).default(500) }))
    .query(({ ctx, input }) => agentLogs(ctx.db, ctx.org.id, input.agentId, input.limit)),

  stats: tenantProcedure("agent.read")
    .input(agentId)
    .query(({ ctx, input }) => agentStats(ctx.db, ctx.org.id, input.agentId)),

  create: tenantProcedure("agent.manage")
    .input(createAgentSchema)
    .mutation(({ ctx, input }) => createAgent(ctx.db, ctx.acting, ctx.org.id, input, ctx.request)),

  update: tenantProcedure("agent.manage")
    .input(updateAgentSchema)
    .mutation(({ ctx, input }) => updateAgent(ctx.db, ctx.acting, ctx.org.id, input, ctx.request)),

  command: tenantProcedure("agent.manage")
    .input(agentId.extend({ command: z.enum(["start", "stop", "restart"]) }))
    .mutation(({ ctx, input }) =>
      commandAgent(ctx.db, ctx.acting, ctx.org.id, input.agentId, input.command, ctx.request),
    ),

  delete: tenantProcedure("agent.manage")
    .input(agentId.extend({ confirmName: z.string().max(64) }))
    .mutation(({ ctx, input }) =>
      deleteAgent(ctx.db, ctx.acting, ctx.org.id, input.agentId, input.confirmName, ctx.request),
    ),
});
