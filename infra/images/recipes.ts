// The images Corral builds on each host from Debian packages (no registry is needed). A recipe
// is a folder with a script that writes a root filesystem tarball, plus the instructions
// `docker import` applies. Its tag is a hash of everything that makes it, so changing a recipe
// gives a new tag and hosts rebuild; an unchanged recipe is never rebuilt.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export interface ImageRecipe {
  repository: string;
  /** Folder holding the recipe; every file in it is part of the tag. */
  folder: string;
  /** Script in the folder, called as `script OUTPUT.tar`, that writes the root filesystem. */
  script: string;
  /** Dockerfile instructions for `docker import` (ENTRYPOINT, USER, ENV…). */
  changes: string[];
  /** Said in progress lines, so a long build is expected. */
  expectedDuration: string;
  /** Files outside the folder the script uses (paths from this folder); part of the tag. */
  extraFiles?: string[];
}

const imagesDir = import.meta.dirname;
/** Shared by every recipe's script, so part of every tag. */
const sharedFiles = [path.join(imagesDir, "lib.sh")];

const standardPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** A tenant's sandbox: Debian with dockerd; the engine container runs it privileged. */
export const sandboxEngineRecipe: ImageRecipe = {
  repository: "corral/sandbox-engine",
  folder: path.join(imagesDir, "sandbox-engine"),
  script: "rootfs.sh",
  changes: [
    `ENV ${standardPath}`,
    'ENTRYPOINT ["/usr/local/bin/corral-engine"]',
    "LABEL corral.image=sandbox-engine",
  ],
  expectedDuration: "about a minute",
};

/** The default agent image: busybox tools and CA certificates, running as uid 65534. */
export const agentBaseRecipe: ImageRecipe = {
  repository: "corral/agent-base",
  folder: path.join(imagesDir, "agent-base"),
  script: "rootfs.sh",
  changes: [
    `ENV ${standardPath}`,
    "ENV HOME=/workspace",
    "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
    "USER 65534:65534",
    "WORKDIR /workspace",
    'CMD ["/bin/sh"]',
    "LABEL corral.image=agent-base",
  ],
  expectedDuration: "a few seconds",
};

/**
 * The default agent image with Corral's agent runtime: Debian with Node.js 18, git and curl;
 * its entrypoint takes tasks from the control plane and works on them with a model and tools
 * (see agent-runtime/src/main.ts). The runtime is bundled from this repository's node_modules,
 * so the versions bundled are labels, and part of the tag.
 */
export const agentRuntimeRecipe: ImageRecipe = {
  repository: "corral/agent-runtime",
  folder: path.join(imagesDir, "agent-runtime"),
  script: "rootfs.sh",
  changes: [
    `ENV ${standardPath}`,
    "ENV HOME=/workspace",
    "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
    "USER 65534:65534",
    "WORKDIR /workspace",
    'ENTRYPOINT ["/usr/bin/node", "/opt/corral/runtime.js"]',
    "LABEL corral.image=agent-runtime",
    `LABEL corral.runtime.bundled="${bundledVersions(["@anthropic-ai/sdk", "undici", "esbuild"])}"`,
  ],
  expectedDuration: "about a minute",
};

/**
 * Claude Code, the coding agent people already use, as a Corral agent: Debian with Node.js 18
 * for the adapter, git and curl; the native `claude` executable from the npm package pinned in
 * package.json; the adapter to the task contract (claude-code/src/main.ts) as its entrypoint.
 * It calls home for nothing but the model: the variables below turn off updates, telemetry and
 * error reports. Its tag follows the package versions and the agent runtime's sources the
 * adapter shares (claude-code/shared-files.txt).
 */
export const claudeCodeRecipe: ImageRecipe = {
  repository: "corral/claude-code",
  folder: path.join(imagesDir, "claude-code"),
  script: "rootfs.sh",
  changes: [
    `ENV ${standardPath}`,
    "ENV HOME=/workspace",
    "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
    "ENV DISABLE_AUTOUPDATER=1",
    "ENV DISABLE_TELEMETRY=1",
    "ENV DISABLE_ERROR_REPORTING=1",
    "ENV CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1",
    "USER 65534:65534",
    "WORKDIR /workspace",
    'ENTRYPOINT ["/usr/bin/node", "/opt/corral/claude-code-adapter.js"]',
    "LABEL corral.image=claude-code",
    `LABEL corral.runtime.bundled="${bundledVersions(["@anthropic-ai/claude-code", `@anthropic-ai/claude-code-${process.platform}-${process.arch}`, "undici", "esbuild"])}"`,
    `LABEL corral.runtime.shared="${sharedDigest(path.join(imagesDir, "claude-code", "shared-files.txt"))}"`,
  ],
  expectedDuration: "about two minutes",
};

/**
 * The microvm driver's guest: Debian's kernel, an initramfs and a root disk image with dockerd
 * (microvm/guest.sh). Files in a cache folder named by the tag, not an engine image: QEMU boots
 * them. It shares corral-disk (workspaces of a fixed size) with the sandbox-engine image.
 */
export const microvmGuestRecipe: ImageRecipe = {
  repository: "corral/microvm-guest",
  folder: path.join(imagesDir, "microvm"),
  script: "guest.sh",
  changes: [],
  expectedDuration: "about two minutes",
  extraFiles: ["sandbox-engine/disk.sh"],
};

/**
 * First 12 hex digits of a hash over the files a list names (one path from the repository root
 * a line; `#` comments): sources a recipe's build takes from outside its folder.
 */
function sharedDigest(listFile: string): string {
  const repo = path.resolve(imagesDir, "../..");
  const hash = createHash("sha256");
  const listed = readFileSync(listFile, "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .sort();
  for (const file of listed) {
    hash.update(`\0${file}\0`);
    try {
      hash.update(readFileSync(path.join(repo, file)));
    } catch {
      hash.update("missing");
    }
  }
  return hash.digest("hex").slice(0, 12);
}

/** `name@version` of installed packages, e.g. `undici@6.29.1,esbuild@0.28.2`. */
function bundledVersions(names: string[]): string {
  const modules = path.resolve(imagesDir, "../../node_modules");
  return names
    .map((name) => {
      try {
        const manifest = readFileSync(path.join(modules, name, "package.json"), "utf8");
        return `${name}@${(JSON.parse(manifest) as { version: string }).version}`;
      } catch {
        return `${name}@missing`;
      }
    })
    .join(",");
}

/** Every file under a recipe folder, sorted; tests (`*.test.ts`) are not part of the image. */
function recipeFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: "utf8" })
    .filter((name) => !name.endsWith(".test.ts") && statSync(path.join(folder, name)).isFile())
    .sort()
    .map((name) => path.join(folder, name));
}

/** First 12 hex digits of a hash over the recipe's files and import instructions. */
export function recipeTag(recipe: ImageRecipe): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify(recipe.changes));
  const extra = (recipe.extraFiles ?? []).map((file) => path.join(imagesDir, file));
  const files = [...sharedFiles, ...recipeFiles(recipe.folder), ...extra];
  for (const file of files) {
    hash.update(`\0${path.relative(imagesDir, file)}\0`);
    hash.update(readFileSync(file));
  }
  return hash.digest("hex").slice(0, 12);
}

/** `repository:tag` of the image this recipe makes today. */
export function imageReference(recipe: ImageRecipe): string {
  return `${recipe.repository}:${recipeTag(recipe)}`;
}
