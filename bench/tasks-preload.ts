// Preloaded into bench/tasks-child.ts (node --import): the control plane's modules mark
// themselves "server-only", which Next resolves to an empty module when it builds them for
// the server. Outside Next the marker throws, so here it resolves to an empty module, as
// vitest.config.ts aliases it for the tests.
import { register } from "node:module";

const hooks = `export async function resolve(specifier, context, next) {
  if (specifier === "server-only") return { url: "data:text/javascript,export{}", shortCircuit: true };
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
