#!/usr/bin/env node
// `corral`: the operator's command line. The commands are TypeScript (server/cli/main.ts),
// run through tsx, with the control plane's "server-only" marker resolved as Next does.
import { register } from "tsx/esm/api";
import "../server/cli/outside-next.mjs";

register();
const { run } = await import("../server/cli/main.ts");
process.exitCode = await run(process.argv.slice(2));
