import path from "node:path";
import { dropDatabase } from "../server/db/database.ts";
import { EngineContainerDriver } from "../worker/drivers/engine-container/index.ts";
import { connectEngine } from "../worker/engine/docker-engine.ts";

export default async function teardown() {
  if (process.env.E2E_DATABASE_URL) await dropDatabase(process.env.E2E_DATABASE_URL);
  // The e2e worker's sandboxes (the demo organisation's, at least) outlive `npm run up`:
  // remove them so repeated runs leave nothing behind.
  const driver = new EngineContainerDriver(connectEngine("unix:///var/run/docker.sock"), {
    hostKey: "e2e-worker",
    stateDir: path.resolve(".corral/e2e/sandboxes"),
    sandboxImage: "unused",
    agentImageDefault: "unused",
  });
  for (const sandbox of await driver.listSandboxes().catch(() => [])) {
    await driver.destroySandbox(sandbox.tenantId).catch(() => undefined);
  }
}
