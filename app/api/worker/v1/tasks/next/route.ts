// POST /api/worker/v1/tasks/next (see server/fleet/worker-api.ts).
export { taskNext as POST } from "@/server/fleet/worker-api.ts";
export const dynamic = "force-dynamic";
