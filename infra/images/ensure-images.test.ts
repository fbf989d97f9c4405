// Image builds on the real engine: present images are never rebuilt, concurrent callers agree,
// and the lock between processes serialises work and survives a dead owner.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectEngine } from "../../worker/engine/docker-engine.ts";
import { ensureImages } from "./ensure-images.ts";
import { withFileLock } from "./file-lock.ts";
import {
  agentBaseRecipe,
  agentRuntimeRecipe,
  claudeCodeRecipe,
  imageReference,
  recipeTag,
  sandboxEngineRecipe,
} from "./recipes.ts";

const host = connectEngine(process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock");
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "corral-images-test-"));
  // Build (or find) once, so the tests below measure the cached path.
  await ensureImages(host, { log: (line) => console.log(line) });
}, 300_000);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("ensureImages", () => {
  it("finds every image by its recipe tag without building, also when called twice at once", async () => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const [first, second] = await Promise.all([
      ensureImages(host, { log }),
      ensureImages(host, { log }),
    ]);
    expect(first).toEqual(second);
    expect(first).toEqual({
      sandboxEngine: imageReference(sandboxEngineRecipe),
      agentBase: imageReference(agentBaseRecipe),
      agentRuntime: imageReference(agentRuntimeRecipe),
      claudeCode: imageReference(claudeCodeRecipe),
    });
    expect(lines).toEqual([]);
    const labels = (await host.getImage(first.sandboxEngine).inspect()).Config.Labels;
    expect(labels).toMatchObject({ "corral.image": "sandbox-engine" });
  });

  it("tags images by a hash of their recipe", () => {
    expect(recipeTag(sandboxEngineRecipe)).toMatch(/^[0-9a-f]{12}$/);
    expect(recipeTag({ ...sandboxEngineRecipe, changes: ["USER 1"] })).not.toBe(
      recipeTag(sandboxEngineRecipe),
    );
  });
});

describe("withFileLock", () => {
  it("runs holders one at a time", async () => {
    const lockPath = path.join(scratch, "serial.lock");
    const events: string[] = [];
    const hold = (name: string) =>
      withFileLock(lockPath, async () => {
        events.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        events.push(`${name} out`);
      });
    await Promise.all([hold("a"), hold("b")]);
    // Whichever goes first, the other enters only after it has left.
    const [first, second] = events[0] === "a in" ? ["a", "b"] : ["b", "a"];
    expect(events).toEqual([`${first} in`, `${first} out`, `${second} in`, `${second} out`]);
  });

  it("takes over a lock whose owner died", async () => {
    const lockPath = path.join(scratch, "stale.lock");
    // No process has this pid: above the kernel's pid_max.
    await writeFile(lockPath, "999999999");
    let waited = false;
    const result = await withFileLock(
      lockPath,
      async () => "ran",
      () => {
        waited = true;
      },
    );
    expect(result).toBe("ran");
    expect(waited).toBe(true);
  });
});
