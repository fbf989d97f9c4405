// POST /api/worker/v1/heartbeat (see server/fleet/worker-api.ts).
export { heartbeat as POST } from "@/server/fleet/worker-api.ts";
export const dynamic = "force-dynamic";
