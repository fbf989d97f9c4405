// GET /api/worker/v1/tasks/control (see server/fleet/worker-api.ts).
export { taskControlHandler as GET } from "@/server/fleet/worker-api.ts";
export const dynamic = "force-dynamic";
