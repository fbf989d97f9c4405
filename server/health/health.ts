// What GET /api/health reports: is the database answering, and which workers are alive.

import { describeError } from "../../common/errors.ts";
import type { Db } from "../db/client.ts";

export interface WorkerStatus {
  name: string;
  version: string;
  live: boolean;
  lastHeartbeatAt: string;
  secondsSinceHeartbeat: number;
  engineVersion: string | null;
}

export interface HealthReport {
  status: "ok" | "degraded" | "down";
  database: { ok: boolean; latencyMs?: number; error?: string };
  workers: { live: number; total: number; deadlineSeconds: number; hosts: WorkerStatus[] };
}

export async function checkHealth(db: Db, deadlineSeconds: number): Promise<HealthReport> {
  const started = performance.now();
  try {
    await db.$queryRaw`SELECT 1`;
  } catch (error) {
    return {
      status: "down",
      database: { ok: false, error: describeError(error) || "unreachable" },
      workers: { live: 0, total: 0, deadlineSeconds, hosts: [] },
    };
  }
  const latencyMs = Math.round((performance.now() - started) * 10) / 10;
  const hosts = await db.workerHost.findMany({ orderBy: { name: "asc" } });
  const now = Date.now();
  const workers = hosts.map((h): WorkerStatus => {
    const seconds = Math.max(0, Math.round((now - h.lastHeartbeatAt.getTime()) / 1000));
    const engine = h.engine as { serverVersion?: string } | null;
    return {
      name: h.name,
      version: h.version,
      live: seconds <= deadlineSeconds,
      lastHeartbeatAt: h.lastHeartbeatAt.toISOString(),
      secondsSinceHeartbeat: seconds,
      engineVersion: engine?.serverVersion ?? null,
    };
  });
  const live = workers.filter((w) => w.live).length;
  return {
    status: live > 0 ? "ok" : "degraded",
    database: { ok: true, latencyMs },
    workers: { live, total: workers.length, deadlineSeconds, hosts: workers },
  };
}

/** What anyone may see: up or not, and how many workers are live; no names, versions or errors. */
export interface HealthSummary {
  status: HealthReport["status"];
  database: { ok: boolean };
  workers: { live: number; total: number; deadlineSeconds: number };
}

export function summarizeHealth(report: HealthReport): HealthSummary {
  return {
    status: report.status,
    database: { ok: report.database.ok },
    workers: {
      live: report.workers.live,
      total: report.workers.total,
      deadlineSeconds: report.workers.deadlineSeconds,
    },
  };
}
