import path from "node:path";
import { dropDatabase } from "../../server/db/database.ts";
import { EngineContainerDriver } from "../../worker/drivers/engine-container/index.ts";
import { connectEngine } from "../../worker/engine/docker-engine.ts";

/** The run's database, and the sandboxes its worker made (they outlive `up`). */
export default async function teardown() {
  if (process.env.E2E_DATABASE_URL) await dropDatabase(process.env.E2E_DATABASE_URL);
  const driver = new EngineContainerDriver(connectEngine("unix:///var/run/docker.sock"), {
    hostKey: "e2e-two-web",
    stateDir: path.resolve(".corral/e2e-two-web/sandboxes"),
    sandboxImage: "unused",
    agentImageDefault: "unused",
  });
  for (const sandbox of await driver.listSandboxes().catch(() => []))
    await driver.destroySandbox(sandbox.tenantId).catch(() => undefined);
}
