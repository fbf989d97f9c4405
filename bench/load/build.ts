// The load bench measures the production build: make one when there is none, or when a
// source file is newer than it (a stale build would measure old code).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const root = path.join(import.meta.dirname, "..", "..");
const sources = ["app", "server", "common"];

function newestSource(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    const time = entry.isDirectory()
      ? newestSource(full)
      : /\.(tsx?|css)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)
        ? statSync(full).mtimeMs
        : 0;
    if (time > newest) newest = time;
  }
  return newest;
}

/** BENCH_LOAD_REUSE_BUILD=1 takes any existing build (while others edit the sources). */
export async function ensureBuild(): Promise<void> {
  const marker = path.join(root, ".next", "BUILD_ID");
  const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;
  if (built && process.env.BENCH_LOAD_REUSE_BUILD === "1") return;
  const newest = Math.max(...sources.map((s) => newestSource(path.join(root, s))));
  if (built > newest) return;
  console.log(
    `bench/load: ${built ? "the build is older than the sources" : "no build"}; running next build`,
  );
  execFileSync("npx", ["next", "build"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
}
