// The engine-container sandbox driver: a private container engine per tenant.
export {
  AgentNotFoundError,
  EngineContainerDriver,
  type EngineContainerDriverOptions,
} from "./engine-container-driver.ts";
