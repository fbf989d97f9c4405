// GET /api/worker/v1/desired?after=<version> (see server/fleet/worker-api.ts).
export { desired as GET } from "@/server/fleet/worker-api.ts";
export const dynamic = "force-dynamic";
