// GET /api/ready: 200 when this process may take traffic, 503 (naming the failing checks,
// nothing more) when not. See server/health/readiness.ts.
import { NextResponse } from "next/server";
import { webConfig } from "@/server/core/config.ts";
import { db } from "@/server/db/client.ts";
import { checkReadiness } from "@/server/health/readiness.ts";

export const dynamic = "force-dynamic";

export async function GET() {
  const readiness = await checkReadiness(db(), webConfig().DATABASE_URL);
  return NextResponse.json(readiness, {
    status: readiness.ready ? 200 : 503,
    headers: { "cache-control": "no-store" },
  });
}
