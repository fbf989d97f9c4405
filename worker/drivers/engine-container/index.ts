// The engine-container sandbox driver: a private container engine per tenant.
export { AgentNotFoundError } from "./agents-in-engine.ts";
export {
  EngineContainerDriver,
  type EngineContainerDriverOptions,
} from "./engine-container-driver.ts";
