import { NextResponse } from "next/server";
import { webConfig } from "@/server/core/config.ts";
import { describeError } from "@/server/core/errors.ts";
import { db } from "@/server/db/client.ts";
import { checkHealth } from "@/server/health/health.ts";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    const report = await checkHealth(db(), webConfig().CORRAL_WORKER_DEADLINE_SECONDS);
    return NextResponse.json(report, { status: report.database.ok ? 200 : 503 });
  } catch (error) {
    return NextResponse.json({ status: "down", error: describeError(error) }, { status: 503 });
  }
}
