// `npm run bench`: every benchmark, one after another, each reporting ratios against a
// baseline it measures in the same run; what they print, with a chart of the latencies they
// recorded, is kept in bench/results/<date>.md and .png (results.ts).
// BENCH_ONLY=audit|load|agents|gateway|tasks|microvm|fleet runs one (then <date>-<name>.md).
// BENCH_SHORT=1 runs the short modes, which prove the benches work and keep no results.
import { beginSection, teeConsole, writeResults } from "./results.ts";

const sections = {
  audit: "./audit.ts",
  load: "./load.ts",
  agents: "./agents.ts",
  gateway: "./gateway.ts",
  tasks: "./tasks.ts",
  microvm: "./microvm.ts",
  fleet: "./fleet-scale.ts",
} as const;

const only = process.env.BENCH_ONLY;
if (only && !(only in sections)) {
  console.error(`BENCH_ONLY must be one of ${Object.keys(sections).join(", ")}`);
  process.exit(2);
}
teeConsole();
for (const [name, file] of Object.entries(sections)) {
  if (only && only !== name) continue;
  beginSection(name);
  await import(file);
}
if (!process.env.BENCH_SHORT) {
  const { md, png } = await writeResults(undefined, only);
  console.log(`bench: results in ${md}${png ? ` and ${png}` : ""}`);
}
