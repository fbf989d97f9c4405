// The reseed script is run for real against this host's kernel (the guest runs the same
// Debian kernel interface): unprivileged it must reach the kernel's RNDADDENTROPY and be
// refused there (an ioctl number or layout the kernel did not know would fail otherwise);
// as root, both ioctls succeed. The integration test runs it inside restored guests.
import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { reseedScript } from "./reseed.ts";

const runs = (args: string[], script: string) =>
  spawnSync(args[0] as string, [...args.slice(1), "sh", "-c", script], { encoding: "utf8" });

describe("reseeding a restored guest's random state", () => {
  it("sends different entropy on every start", () => {
    expect(reseedScript()).not.toBe(reseedScript());
    expect(() => reseedScript(Buffer.alloc(16))).toThrow(/at least 32 bytes/);
  });

  it("reaches the kernel's RNDADDENTROPY, which refuses an unprivileged caller", () => {
    const result = runs(["unshare", "--user"], reseedScript());
    expect(result.status).not.toBe(0);
    expect(result.stderr.trim()).toBe("RNDADDENTROPY: Operation not permitted");
  });

  it.runIf(process.getuid?.() === 0)("credits the entropy and reseeds, as root", () => {
    expect(() => execFileSync("sh", ["-c", reseedScript()], { stdio: "pipe" })).not.toThrow();
  });
});
