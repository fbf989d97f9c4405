// The images Corral builds on each host from Debian packages (no registry is needed). A recipe
// is a folder with a script that writes a root filesystem tarball, plus the instructions
// `docker import` applies. Its tag is a hash of everything that makes it, so changing a recipe
// gives a new tag and hosts rebuild; an unchanged recipe is never rebuilt.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
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

/** First 12 hex digits of a hash over the recipe's files and import instructions. */
export function recipeTag(recipe: ImageRecipe): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify(recipe.changes));
  const files = [
    ...sharedFiles,
    ...readdirSync(recipe.folder)
      .sort()
      .map((name) => path.join(recipe.folder, name)),
  ];
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
