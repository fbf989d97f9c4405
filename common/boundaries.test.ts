// The worker ships alone: nothing it loads, directly or through another module, may come from
// the control plane (server/, app/, prisma/). What both sides share lives in common/.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");

/** Relative imports of a source file (static, dynamic and re-exports), as repo paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(root, file), "utf8");
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map(
    (m) => m[1] ?? "",
  );
  return specs
    .filter((s) => s.startsWith("."))
    .map((s) => path.relative(root, path.resolve(root, path.dirname(file), s)));
}

/** Every project file `entry` loads, with the chain that led to each. */
function loadedFrom(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>([[entry, [entry]]]);
  const queue = [entry];
  for (let file = queue.shift(); file; file = queue.shift()) {
    for (const next of importsOf(file)) {
      if (seen.has(next) || !/\.(ts|mts|mjs|js)$/.test(next)) continue;
      seen.set(next, [...(seen.get(file) ?? []), next]);
      queue.push(next);
    }
  }
  return seen;
}

describe("the worker's boundary", () => {
  it("loads no control-plane code from its entry point", () => {
    const loaded = loadedFrom("worker/main.ts");
    const crossings = [...loaded.entries()]
      .filter(([file]) => /^(server|app|prisma)\//.test(file))
      .map(([, chain]) => chain.join(" → "));
    expect(crossings).toEqual([]);
    // The control: the worker does load the shared protocol.
    expect(loaded.has("common/worker-protocol.ts")).toBe(true);
  });
});
