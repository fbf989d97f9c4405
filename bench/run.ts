// `npm run bench`: every benchmark, one after another, each reporting ratios against a
// baseline it measures in the same run.
// BENCH_ONLY=audit|load|agents|gateway|tasks|microvm|fleet runs one.
const only = process.env.BENCH_ONLY;
if (!only || only === "audit") await import("./audit.ts");
if (!only || only === "load") await import("./load.ts");
if (!only || only === "agents") await import("./agents.ts");
if (!only || only === "gateway") await import("./gateway.ts");
if (!only || only === "tasks") await import("./tasks.ts");
if (!only || only === "microvm") await import("./microvm.ts");
if (!only || only === "fleet") await import("./fleet-scale.ts");

export {};
