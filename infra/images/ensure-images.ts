// Builds Corral's images on this host when their exact tag is missing: the sandbox engine, the
// default agent images and the Claude Code agent image. Idempotent, and safe to run from two
// processes at once (a lock file per image spares a second build; importing the same tag twice
// would be harmless).
import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import type Docker from "dockerode";
import { followProgress } from "../../worker/drivers/engine-container/engine-progress.ts";
import { withFileLock } from "./file-lock.ts";
import {
  agentBaseRecipe,
  agentRuntimeRecipe,
  claudeCodeRecipe,
  type ImageRecipe,
  imageReference,
  recipeTag,
  sandboxEngineRecipe,
} from "./recipes.ts";

export interface CorralImages {
  /** For the engine-container driver's `sandboxImage`. */
  sandboxEngine: string;
  /** For the driver's `agentImageDefault`. */
  agentBase: string;
  /** The agent image with Corral's agent runtime as its entrypoint (tasks, model, tools). */
  agentRuntime: string;
  /** Claude Code with Corral's adapter to the task contract as its entrypoint. */
  claudeCode: string;
}

export interface EnsureImagesOptions {
  /** Progress lines; default: stderr. */
  log?: (line: string) => void;
  /** Where builds take their scratch space and lock files; default: the OS temp folder. */
  workDir?: string;
}

/** Makes sure the images exist on the engine; returns their references. */
export async function ensureImages(
  docker: Docker,
  options: EnsureImagesOptions = {},
): Promise<CorralImages> {
  return {
    sandboxEngine: await ensureImage(docker, sandboxEngineRecipe, options),
    agentBase: await ensureImage(docker, agentBaseRecipe, options),
    agentRuntime: await ensureImage(docker, agentRuntimeRecipe, options),
    claudeCode: await ensureImage(docker, claudeCodeRecipe, options),
  };
}

/**
 * The names agents use for the default images (server/agents/schemas.ts), as
 * `repository:latest` of each build: the base image, the agent runtime (a model tool-use loop
 * speaking the task contract), and Claude Code behind a thin adapter to that contract.
 */
const imageAliases = {
  agentBase: { repo: "corral/agent-base", tag: "latest" },
  agentRuntime: { repo: "corral/agent-runtime", tag: "latest" },
  claudeCode: { repo: "corral/claude-code", tag: "latest" },
} satisfies Partial<Record<keyof CorralImages, { repo: string; tag: string }>>;

/** Points each alias at the current build, as a worker does when it starts. */
export async function tagImageAliases(docker: Docker, images: CorralImages): Promise<void> {
  for (const [image, alias] of Object.entries(imageAliases))
    await docker.getImage(images[image as keyof typeof imageAliases]).tag(alias);
}

/** Builds one recipe's image unless its tag exists; returns `repository:tag`. */
export async function ensureImage(
  docker: Docker,
  recipe: ImageRecipe,
  options: EnsureImagesOptions = {},
): Promise<string> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const reference = imageReference(recipe);
  if (await imageExists(docker, reference)) return reference;

  const workDir = options.workDir ?? path.join(tmpdir(), "corral-images");
  await mkdir(workDir, { recursive: true });
  const lockPath = path.join(
    workDir,
    `${path.basename(recipe.repository)}-${recipeTag(recipe)}.lock`,
  );
  return withFileLock(
    lockPath,
    async () => {
      // Another process may have built it while this one waited.
      if (await imageExists(docker, reference)) return reference;
      const started = performance.now();
      log(`images: building ${reference} (${recipe.expectedDuration})`);
      await buildImage(docker, recipe, reference, workDir, (line) => log(`images:   ${line}`));
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      log(`images: built ${reference} in ${seconds} s`);
      return reference;
    },
    () => log(`images: waiting for another process building ${reference}`),
  );
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

async function buildImage(
  docker: Docker,
  recipe: ImageRecipe,
  reference: string,
  workDir: string,
  log: (line: string) => void,
): Promise<void> {
  const scratch = await mkdtemp(path.join(workDir, "build-"));
  try {
    const tarball = path.join(scratch, "rootfs.tar");
    await runScript(path.join(recipe.folder, recipe.script), [tarball], scratch, log);
    log("importing the root filesystem");
    const [repo, tag] = splitReference(reference);
    const progress = await docker.importImage(createReadStream(tarball), {
      repo,
      tag,
      changes: recipe.changes,
      message: `corral recipe ${recipe.repository} ${tag}`,
    });
    await followProgress(docker, progress);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function splitReference(reference: string): [string, string] {
  const colon = reference.lastIndexOf(":");
  return [reference.slice(0, colon), reference.slice(colon + 1)];
}

/** Runs a recipe script, passing its stderr lines on; rejects with the last ones on failure. */
export function runScript(
  script: string,
  args: string[],
  scratch: string,
  log: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [script, ...args], {
      env: { ...process.env, TMPDIR: scratch },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const lastLines: string[] = [];
    createInterface({ input: child.stderr }).on("line", (line) => {
      lastLines.push(line);
      if (lastLines.length > 10) lastLines.shift();
      log(line);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(`${path.basename(script)} failed (exit ${code}): ${lastLines.join(" | ")}`),
        );
    });
  });
}
