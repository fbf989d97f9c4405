// Builds the microvm driver's guest (kernel, initramfs, root disk image) into a cache folder
// when the folder of its exact recipe tag is missing. Like ensureImages: idempotent, and safe
// from two processes at once (a lock file; the folder appears whole, by rename, or not at all).
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import path from "node:path";
import { type EnsureImagesOptions, runScript } from "./ensure-images.ts";
import { withFileLock } from "./file-lock.ts";
import { microvmGuestRecipe, recipeTag } from "./recipes.ts";

/** Where guests are kept unless CORRAL_MICROVM_CACHE says otherwise (outside the repository). */
export const DEFAULT_GUEST_CACHE = "/var/cache/corral/microvm";

export interface GuestImage {
  /** The recipe tag: a new guest means new snapshots. */
  tag: string;
  dir: string;
  kernel: string;
  initrd: string;
  rootfs: string;
}

export function guestImageAt(cacheDir: string): GuestImage {
  const tag = recipeTag(microvmGuestRecipe);
  const dir = path.join(cacheDir, `guest-${tag}`);
  return {
    tag,
    dir,
    kernel: path.join(dir, "vmlinuz"),
    initrd: path.join(dir, "initrd.img"),
    rootfs: path.join(dir, "rootfs.img"),
  };
}

export async function ensureGuestImage(
  cacheDir: string = process.env.CORRAL_MICROVM_CACHE ?? DEFAULT_GUEST_CACHE,
  options: EnsureImagesOptions = {},
): Promise<GuestImage> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const guest = guestImageAt(cacheDir);
  if (existsSync(guest.rootfs)) return guest;
  await mkdir(cacheDir, { recursive: true, mode: 0o755 });
  return withFileLock(
    `${guest.dir}.lock`,
    async () => {
      if (existsSync(guest.rootfs)) return guest;
      const started = performance.now();
      log(
        `images: building the microvm guest ${guest.tag} (${microvmGuestRecipe.expectedDuration})`,
      );
      // Scratch beside the cache, so the finished folder is renamed into place.
      const scratch = await mkdtemp(path.join(cacheDir, "build-"));
      try {
        const output = path.join(scratch, "guest");
        await runScript(
          path.join(microvmGuestRecipe.folder, microvmGuestRecipe.script),
          [output],
          scratch,
          (line) => log(`images:   ${line}`),
        );
        await rename(output, guest.dir);
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      log(`images: built the microvm guest ${guest.tag} in ${seconds} s`);
      return guest;
    },
    () => log(`images: waiting for another process building the microvm guest ${guest.tag}`),
  );
}
