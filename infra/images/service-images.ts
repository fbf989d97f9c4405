// The images Corral itself runs in: `corral/web` (the web app; the same image runs the job
// runner, migrations and the demo mail sink) and `corral/worker` (the fleet agent: worker/ and
// common/ with only the packages they load). Each is a Dockerfile (web/, worker/) over a base:
// here corral/service-base, built from Debian packages like the sandbox images; elsewhere any
// Debian-based Node.js image (`--base node:22-bookworm-slim`). The build context is staged
// from this checkout; the tag is a hash of everything staged, so an unchanged tree is never
// rebuilt.
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import type Docker from "dockerode";
import { ensureImage } from "./ensure-images.ts";
import { nftPackages, packageClosure, packagesImportedBy } from "./package-closure.ts";
import type { ImageRecipe } from "./recipes.ts";

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, "../..");

export type ServiceName = "web" | "worker";

export interface ServiceImageOptions {
  /** Base image; default corral/service-base, built here from Debian packages. */
  base?: string;
  /**
   * A commit (e.g. HEAD) to take the sources from instead of the work tree, so edits in
   * progress stay out of the image. Default: the work tree (CORRAL_IMAGE_COMMIT).
   */
  commit?: string;
  log?: (line: string) => void;
}

/** Debian with the host's Node.js, iptables and the CA bundle (service-base/rootfs.sh). */
export const serviceBaseRecipe: ImageRecipe = {
  repository: "corral/service-base",
  folder: path.join(import.meta.dirname, "service-base"),
  script: "rootfs.sh",
  changes: [
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LABEL corral.image=service-base",
    // The Node.js binary is copied from the host: another version is another base.
    `LABEL corral.node=${process.version}`,
  ],
  expectedDuration: "about a minute",
};

/** What each image takes from the checkout (paths from the repository root). */
const sources: Record<ServiceName, string[]> = {
  web: [
    "app",
    "server",
    "common",
    "prisma",
    "infra/dev/mail-sink.ts",
    "infra/compose/mail-sink-main.ts",
    "infra/host/check-node.mjs",
    "next.config.ts",
    "postcss.config.mjs",
    "prisma.config.ts",
    "tsconfig.json",
    "package.json",
    "package-lock.json",
  ],
  worker: [
    "worker",
    "common",
    "infra/images",
    "infra/host/check-node.mjs",
    "tsconfig.json",
    "package.json",
    "package-lock.json",
  ],
};

/** Entry points whose imports decide which packages an image carries. */
const entries: Record<ServiceName, string[]> = {
  web: [
    "server/web/serve.ts",
    "server/jobs/main.ts",
    "prisma/seed.ts",
    "infra/compose/mail-sink-main.ts",
  ],
  worker: ["worker/main.ts"],
};

/** Packages an image needs that no import names: the TypeScript loader and Prisma's CLI. */
const alwaysPackages: Record<ServiceName, string[]> = {
  web: ["tsx", "next", "react", "react-dom", "prisma"],
  worker: ["tsx"],
};

/**
 * Packages whose versions label the sandbox images the worker looks up (recipes.ts reads their
 * manifests to compute the tags): the worker image carries these manifests only, so it finds
 * the images the host built with the same versions instead of trying to build them.
 */
const labelOnlyManifests = [
  "@anthropic-ai/sdk",
  "@anthropic-ai/claude-code",
  `@anthropic-ai/claude-code-${process.platform}-${process.arch}`,
  "undici",
  "esbuild",
];

/** Files under `paths` that git tracks or would (ignored files excluded), without tests. */
async function sourceFiles(paths: string[]): Promise<string[]> {
  const { stdout } = await run(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ...paths],
    { cwd: repo, maxBuffer: 64 * 1024 * 1024 },
  );
  const listed = stdout.split("\0").filter(Boolean);
  const present: string[] = [];
  for (const file of listed) {
    if (/\.(test|integration\.test)\.tsx?$/.test(file)) continue;
    // A tracked file deleted in the work tree is not part of the image.
    try {
      await readFile(path.join(repo, file), { flag: "r" }).then(() => present.push(file));
    } catch {}
  }
  return present.sort();
}

/** Prisma's generated client (gitignored, made by `prisma generate`) goes into the web image. */
async function generatedClientFiles(): Promise<string[]> {
  const dir = "server/db/generated";
  const names = await readdir(path.join(repo, dir), { recursive: true, withFileTypes: true });
  return names
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(repo, path.join(entry.parentPath, entry.name)))
    .sort();
}

async function filesOf(service: ServiceName): Promise<string[]> {
  const files = await sourceFiles(sources[service]);
  return service === "web" ? [...files, ...(await generatedClientFiles())] : files;
}

/** The files of `paths` at a commit, with their blob ids (`mode type id\tpath` lines). */
async function committedTree(commit: string, paths: string[]): Promise<string> {
  const { stdout } = await run("git", ["ls-tree", "-r", commit, "--", ...paths], {
    cwd: repo,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/**
 * First 12 hex digits of a hash over the base, the Dockerfile and every staged file: read
 * from the work tree, or named by blob id for a commit's sources.
 */
async function contentTag(
  service: ServiceName,
  base: string,
  files: string[],
  tree: string,
): Promise<string> {
  const hash = createHash("sha256");
  hash.update(`${base}\0${process.version}\0${tree}\0`);
  // How the image is made is part of it too: this file and the package walk.
  const recipe = [
    `infra/images/${service}/Dockerfile`,
    "infra/images/service-images.ts",
    "infra/images/package-closure.ts",
  ];
  for (const file of [...recipe, ...files]) {
    hash.update(`\0${file}\0`);
    hash.update(await readFile(path.join(repo, file)));
  }
  return hash.digest("hex").slice(0, 12);
}

/** Writes the sources into the staging folder: linked from the work tree, or from a commit. */
async function stageSources(app: string, files: string[], service: ServiceName, commit?: string) {
  if (!commit) {
    for (const file of files) await link(file, app);
    return;
  }
  await mkdir(app, { recursive: true });
  const archive = spawn("git", ["archive", "--format=tar", commit, "--", ...sources[service]], {
    cwd: repo,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const untar = spawn("tar", ["-x", "-C", app], { stdio: ["pipe", "inherit", "inherit"] });
  archive.stdout.pipe(untar.stdin);
  const exited = (child: ReturnType<typeof spawn>) =>
    new Promise<number | null>((resolve) => child.on("close", resolve));
  const [a, t] = await Promise.all([exited(archive), exited(untar)]);
  if (a !== 0 || t !== 0) throw new Error(`git archive ${commit} failed`);
  await run("find", [app, "-name", "*.test.ts", "-delete"]);
  // The generated client is never committed: it comes from the work tree either way.
  for (const file of files) await link(file, app);
}

async function imageExists(docker: Docker, reference: string): Promise<boolean> {
  try {
    await docker.getImage(reference).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

/** Runs a command, passing its output lines to `log`; rejects with the last ones on failure. */
function runLogged(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
  log: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    const last: string[] = [];
    const keep = (line: string) => {
      last.push(line);
      if (last.length > 15) last.shift();
      log(line);
    };
    createInterface({ input: child.stdout }).on("line", keep);
    createInterface({ input: child.stderr }).on("line", keep);
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args[0]} failed (exit ${code}): ${last.join(" | ")}`)),
    );
  });
}

/** Hard links a file or folder of the checkout into the staging folder (same filesystem). */
async function link(relative: string, stage: string): Promise<void> {
  const target = path.join(stage, relative);
  await mkdir(path.dirname(target), { recursive: true });
  await run("cp", ["-al", path.join(repo, relative), target]);
}

async function copyPackages(packageDirs: string[], stage: string): Promise<void> {
  for (const dir of packageDirs) {
    const already = packageDirs.some((other) => other !== dir && dir.startsWith(`${other}/`));
    if (!already) await link(dir, stage);
  }
}

/**
 * The web app's build context: the sources, a production build of Next (`next build`, run in
 * the staging folder so it never disturbs the checkout's own .next) and the packages that the
 * servers' imports and Next's traces of its server code name, with their dependencies.
 */
async function stageWeb(
  stage: string,
  files: string[],
  log: (line: string) => void,
  commit?: string,
) {
  const app = path.join(stage, "app");
  await stageSources(app, files, "web", commit);
  // The build needs every package (Tailwind and TypeScript are development dependencies).
  await link("node_modules", app);
  log("next build (about a minute)");
  await runLogged(
    process.execPath,
    [path.join(app, "node_modules/next/dist/bin/next"), "build"],
    {
      cwd: app,
      env: {
        ...process.env,
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        CORRAL_IMAGE_BUILD: "1",
      },
    },
    (line) => log(`  ${line}`),
  );
  await rm(path.join(app, "node_modules"), { recursive: true, force: true });
  await rm(path.join(app, ".next/cache"), { recursive: true, force: true });
  const wanted = new Set([
    ...alwaysPackages.web,
    ...(await packagesImportedBy(repo, entries.web)),
    ...(await nftPackages(path.join(app, ".next"))),
  ]);
  await copyPackages(await packageClosure(repo, [...wanted]), app);
}

/** The worker's build context: worker/, common/, the image recipes and their packages. */
async function stageWorker(stage: string, files: string[], commit?: string) {
  const app = path.join(stage, "app");
  await stageSources(app, files, "worker", commit);
  const wanted = [...alwaysPackages.worker, ...(await packagesImportedBy(repo, entries.worker))];
  await copyPackages(await packageClosure(repo, wanted), app);
  for (const name of labelOnlyManifests) {
    const manifest = path.join("node_modules", name, "package.json");
    const target = path.join(app, manifest);
    try {
      await readFile(target);
    } catch {
      await mkdir(path.dirname(target), { recursive: true });
      await cp(path.join(repo, manifest), target).catch(() => {});
    }
  }
}

/** Builds the service's image unless its content tag exists; returns `repository:tag`. */
export async function ensureServiceImage(
  docker: Docker,
  service: ServiceName,
  options: ServiceImageOptions = {},
): Promise<string> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const base = options.base ?? (await ensureImage(docker, serviceBaseRecipe, { log }));
  const commit = options.commit ?? (process.env.CORRAL_IMAGE_COMMIT || undefined);
  // From a commit, only the generated client (never committed) is read from the work tree.
  const files = commit
    ? service === "web"
      ? await generatedClientFiles()
      : []
    : await filesOf(service);
  const tree = commit ? await committedTree(commit, sources[service]) : "";
  const reference = `corral/${service}:${await contentTag(service, base, files, tree)}`;
  if (await imageExists(docker, reference)) return reference;

  const started = performance.now();
  log(`images: building ${reference} from ${base}`);
  const scratch = path.join(tmpdir(), "corral-images");
  await mkdir(scratch, { recursive: true });
  // Staged by hard links: CORRAL_STAGE_DIR must be on the checkout's filesystem (default: the
  // system's temporary folder).
  const stage = await mkdtemp(path.join(process.env.CORRAL_STAGE_DIR ?? scratch, `${service}-`));
  try {
    if (service === "web") await stageWeb(stage, files, (line) => log(`images:   ${line}`), commit);
    else await stageWorker(stage, files, commit);
    await writeFile(path.join(stage, ".dockerignore"), "app/.next/cache\n");
    await cp(path.join(import.meta.dirname, service, "Dockerfile"), path.join(stage, "Dockerfile"));
    const buildArgs = ["--build-arg", `BASE=${base}`];
    // An ordinary Node.js base lacks what the worker runs on its host (iptables).
    if (service === "worker" && options.base)
      buildArgs.push("--build-arg", "APT_PACKAGES=iptables ca-certificates procps");
    await runLogged(
      "docker",
      ["build", "--quiet", "--pull=false", ...buildArgs, "-t", reference, "."],
      { cwd: stage, env: { ...process.env, DOCKER_BUILDKIT: "0" } },
      (line) => log(`images:   ${line}`),
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    log(`images: built ${reference} in ${seconds} s`);
    return reference;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
