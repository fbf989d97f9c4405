// Preloaded (node --import) wherever control-plane code runs outside Next: the CLI and the
// client generator. Modules that must never reach a browser import "server-only", which
// Next resolves to nothing on the server; anywhere else that marker throws, so here it
// resolves to an empty module too (as vitest.config.ts aliases it for tests).
import { register } from "node:module";

const hooks = `export async function resolve(specifier, context, next) {
  if (specifier === "server-only") return { url: "data:text/javascript,export{}", shortCircuit: true };
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
