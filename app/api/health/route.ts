// GET /api/health: up or not, for load balancers and anyone else. Details (hosts, versions,
// database errors) are for operators only, through the health.detail procedure.
import { NextResponse } from "next/server";
import { webConfig } from "@/server/core/config.ts";
import { db } from "@/server/db/client.ts";
import { checkHealth, summarizeHealth } from "@/server/health/health.ts";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    const report = summarizeHealth(
      await checkHealth(db(), webConfig().CORRAL_WORKER_DEADLINE_SECONDS),
    );
    return NextResponse.json(report, { status: report.database.ok ? 200 : 503 });
  } catch {
    return NextResponse.json({ status: "down" }, { status: 503 });
  }
}
