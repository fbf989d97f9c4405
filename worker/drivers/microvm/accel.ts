// KVM or TCG: /dev/kvm existing is not enough (nested KVM can hang here), so the guest's own
// kernel is booted under KVM for a few seconds, and KVM is used only if it printed its banner.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

export type Accel = "kvm" | "tcg";

export function probeKvm(kernel: string, timeoutMs = 5000): Promise<boolean> {
  if (!existsSync("/dev/kvm")) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(
      "qemu-system-x86_64",
      [
        ...["-M", "microvm", "-accel", "kvm", "-cpu", "host", "-m", "128", "-smp", "1"],
        ...["-nodefaults", "-no-user-config", "-display", "none", "-no-reboot"],
        ...["-serial", "stdio", "-kernel", kernel, "-append", "console=ttyS0 panic=-1"],
      ],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    let output = "";
    const done = (works: boolean) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      resolve(works);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (output.includes("Linux version")) done(true);
    });
    child.on("error", () => done(false));
    child.on("close", () => done(output.includes("Linux version")));
  });
}
