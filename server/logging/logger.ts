// The control plane's loggers (web and job runner): common/logger.ts plus the id of the
// request being served on every line written while serving it.
import { createLogger, type Logger } from "../../common/logger.ts";
import { currentRequestId } from "./request-id.ts";

function withRequest(): Record<string, unknown> {
  const requestId = currentRequestId();
  return requestId ? { requestId } : {};
}

const key = Symbol.for("corral.logger");
const scope = globalThis as { [key]?: Logger };

/**
 * The web process's logger (one per process, shared with Next's bundle); its lines carry the
 * current request's id.
 */
export function webLogger(): Logger {
  scope[key] ??= createLogger("web", { mixin: withRequest });
  return scope[key];
}
