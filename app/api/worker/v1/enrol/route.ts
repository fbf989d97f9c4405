// POST /api/worker/v1/enrol (see server/fleet/worker-api.ts).
export { enrol as POST } from "@/server/fleet/worker-api.ts";
export const dynamic = "force-dynamic";
