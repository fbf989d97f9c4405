// POST /api/worker/v1/report (see server/fleet/worker-api.ts).
export { report as POST } from "@/server/fleet/worker-api.ts";
export const dynamic = "force-dynamic";
