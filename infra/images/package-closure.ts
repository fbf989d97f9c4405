// Which installed packages an image needs: the packages its entry points import (found by
// esbuild, which the repository already has through tsx), plus those Next's traces of its
// server code name, plus everything those depend on, as folders of node_modules.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const builtins = new Set(builtinModules);

/** `@scope/name` or `name` of an import specifier or a path segment after node_modules/. */
export function packageName(specifier: string): string | null {
  if (specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("node:"))
    return null;
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? "");
  return name && !builtins.has(name) ? name : null;
}

interface Metafile {
  inputs: Record<string, { imports: { path: string; external?: boolean }[] }>;
}

/** Packages imported (statically or dynamically) by the entry points' own source tree. */
export async function packagesImportedBy(repo: string, entryPoints: string[]): Promise<string[]> {
  const scratch = await mkdtemp(path.join(tmpdir(), "corral-closure-"));
  try {
    const meta = path.join(scratch, "meta.json");
    await run(
      path.join(repo, "node_modules/esbuild/bin/esbuild"),
      [
        ...entryPoints,
        "--bundle",
        "--platform=node",
        "--format=esm",
        "--packages=external",
        "--log-level=error",
        `--metafile=${meta}`,
        `--outdir=${path.join(scratch, "out")}`,
      ],
      { cwd: repo },
    );
    const { inputs } = JSON.parse(await readFile(meta, "utf8")) as Metafile;
    const names = new Set<string>();
    for (const input of Object.values(inputs))
      for (const imported of input.imports) {
        const name = imported.external ? packageName(imported.path) : null;
        if (name) names.add(name);
      }
    return [...names].sort();
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Packages named by the files in Next's `.nft.json` traces under a build folder. */
export async function nftPackages(nextDir: string): Promise<string[]> {
  const names = new Set<string>();
  const entries = await readdir(nextDir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith(".nft.json")) continue;
    const trace = JSON.parse(await readFile(path.join(entry.parentPath, entry.name), "utf8")) as {
      files: string[];
    };
    for (const file of trace.files) {
      const at = file.lastIndexOf("node_modules/");
      if (at < 0) continue;
      const name = packageName(file.slice(at + "node_modules/".length));
      if (name) names.add(name);
    }
  }
  return [...names].sort();
}

interface Manifest {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

async function manifestAt(dir: string): Promise<Manifest | null> {
  try {
    return JSON.parse(await readFile(path.join(dir, "package.json"), "utf8")) as Manifest;
  } catch {
    return null;
  }
}

/**
 * Folders (relative to `repo`, e.g. `node_modules/pg`, `node_modules/a/node_modules/b`) of the
 * named packages and of everything they depend on, resolved the way Node does: the nearest
 * node_modules first. Optional and peer dependencies that are not installed are skipped.
 */
export async function packageClosure(repo: string, names: string[]): Promise<string[]> {
  const found = new Set<string>();
  const queue: { name: string; from: string }[] = names.map((name) => ({ name, from: repo }));
  while (queue.length > 0) {
    const { name, from } = queue.shift() as { name: string; from: string };
    let dir = from;
    let resolved: string | null = null;
    for (;;) {
      const candidate = path.join(dir, "node_modules", name);
      if (await manifestAt(candidate)) {
        resolved = candidate;
        break;
      }
      if (dir === repo || !dir.startsWith(repo)) break;
      dir = path.dirname(dir);
      // Step out of a package's own node_modules folder to the package that holds it.
      while (path.basename(dir) === "node_modules" || path.basename(dir).startsWith("@"))
        dir = path.dirname(dir);
    }
    if (!resolved) continue;
    const relative = path.relative(repo, resolved);
    if (found.has(relative)) continue;
    found.add(relative);
    const manifest = (await manifestAt(resolved)) as Manifest;
    for (const dep of Object.keys({
      ...manifest.dependencies,
      ...manifest.optionalDependencies,
      ...manifest.peerDependencies,
    }))
      queue.push({ name: dep, from: resolved });
  }
  return [...found].sort();
}
