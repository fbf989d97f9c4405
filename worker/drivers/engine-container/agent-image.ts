// Making an agent's image available inside a sandbox's private engine. Images built or loaded
// on the host are copied in (save from the host, load into the sandbox), skipped when the
// sandbox already has that exact image ID; anything else is pulled by the private engine.
import type Docker from "dockerode";
import { AgentSpecError } from "../driver.ts";
import { engineMessage, orNull } from "./engine-errors.ts";
import { followProgress } from "./engine-progress.ts";
import { readAll } from "./multiplexed.ts";

/** Only Corral's own images are copied from the host; a tenant cannot name other host images. */
const copyableFromHost = /^corral\/[a-z0-9._-]+(:[\w.-]+)?$/;

/** The registry an image reference pulls from (Docker's default when it names none). */
export function registryOf(image: string): string {
  const first = image.split("/")[0] ?? "";
  const named =
    image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  return named ? first.toLowerCase() : "docker.io";
}

export async function ensureAgentImage(
  host: Docker,
  engine: Docker,
  image: string,
  allowedRegistries: string[],
): Promise<void> {
  const onHost = copyableFromHost.test(image) ? await orNull(host.getImage(image).inspect()) : null;
  const inSandbox = await orNull(engine.getImage(image).inspect());
  if (onHost) {
    if (inSandbox?.Id === onHost.Id) return;
    // The sandbox may hold the same image under another name: naming it is enough.
    const sameImage = await orNull(engine.getImage(onHost.Id).inspect());
    const name = splitTag(image);
    if (sameImage && name) await engine.getImage(onHost.Id).tag(name);
    else await copyImage(host, engine, image);
    return;
  }
  if (inSandbox) return;
  const registry = registryOf(image);
  if (!allowedRegistries.includes(registry))
    throw new AgentSpecError(
      `image ${image} is not on this host, and its registry ${registry} is not one this host pulls from (${allowedRegistries.join(", ") || "none allowed"})`,
    );
  try {
    await pullImage(engine, image);
  } catch (error) {
    throw new AgentSpecError(
      `image ${image} is not on this host and could not be pulled: ${engineMessage(error)}`,
    );
  }
}

/** `repo:tag` as the engine's tag call wants it; null for a digest or an image ID. */
export function splitTag(reference: string): { repo: string; tag: string } | null {
  if (reference.includes("@") || /^(sha256:)?[0-9a-f]{64}$/.test(reference)) return null;
  const colon = reference.lastIndexOf(":");
  // A colon before the last slash belongs to a registry's port, not to a tag.
  if (colon > reference.lastIndexOf("/")) {
    return { repo: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  }
  return { repo: reference, tag: "latest" };
}

/** `docker save` on the host piped into `docker load` in the sandbox. */
async function copyImage(host: Docker, engine: Docker, image: string): Promise<void> {
  const archive = await host.getImage(image).get();
  const answer = await engine.loadImage(archive, { quiet: true });
  // The load answers with JSON lines; a failure is reported in them, not by status.
  const lines = (await readAll(answer)).toString("utf8").split("\n").filter(Boolean);
  for (const line of lines) {
    const message = JSON.parse(line) as { error?: string };
    if (message.error)
      throw new Error(`could not load ${image} into the sandbox: ${message.error}`);
  }
}

async function pullImage(engine: Docker, image: string): Promise<void> {
  await followProgress(engine, await engine.pull(image));
}
