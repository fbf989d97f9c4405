import { NextResponse } from "next/server";
import { requestInfo } from "@/server/auth/request-info.ts";
import { webConfig } from "@/server/core/config.ts";
import { db } from "@/server/db/client.ts";
import { recordHeartbeat } from "@/server/fleet/heartbeat.ts";
import { isWorkerAuthorized } from "@/server/fleet/worker-auth.ts";
import { type HeartbeatResponse, heartbeatRequestSchema } from "@/server/fleet/worker-protocol.ts";

export const dynamic = "force-dynamic";

export async function POST(req: Request) {
  const config = webConfig();
  if (!isWorkerAuthorized(req.headers.get("authorization"), config.CORRAL_WORKER_TOKEN)) {
    return NextResponse.json({ error: "worker token refused" }, { status: 401 });
  }
  const body = heartbeatRequestSchema.safeParse(await req.json().catch(() => null));
  if (!body.success) {
    const issue = body.error.issues[0];
    return NextResponse.json(
      { error: `invalid heartbeat: ${issue?.path.join(".") || "body"}: ${issue?.message}` },
      { status: 400 },
    );
  }
  const { hostId } = await recordHeartbeat(db(), body.data, requestInfo(req.headers));
  const response: HeartbeatResponse = {
    hostId,
    heartbeatSeconds: config.CORRAL_WORKER_HEARTBEAT_SECONDS,
  };
  return NextResponse.json(response);
}
