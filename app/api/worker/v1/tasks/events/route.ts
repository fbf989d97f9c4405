// POST /api/worker/v1/tasks/events (see server/fleet/worker-api.ts).
export { taskEventsHandler as POST } from "@/server/fleet/worker-api.ts";
export const dynamic = "force-dynamic";
