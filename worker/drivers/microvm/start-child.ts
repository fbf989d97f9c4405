// A worker's start of one microVM sandbox, as its own process, for the test that kills a
// worker mid-provision (microvm-driver.integration.test.ts). Settings come from the env.
import { ensureGuestImage } from "../../../infra/images/ensure-guest.ts";
import { connectEngine } from "../../engine/docker-engine.ts";
import { MicrovmDriver } from "./microvm-driver.ts";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const tenantId = env("START_TENANT");
const driver = new MicrovmDriver(
  connectEngine(process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock"),
  {
    stateDir: env("START_STATE_DIR"),
    guest: await ensureGuestImage(),
    hostKey: env("START_HOST_KEY"),
    agentImageDefault: env("START_AGENT_IMAGE"),
    log: (line) => console.log(line),
  },
);
await driver.ensureSandbox({ tenantId, tenantSlug: tenantId, cpus: 1, memoryMb: 1024 });
console.log("started");
process.exit(0);
