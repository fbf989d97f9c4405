// Control groups on this host's real cgroup filesystem (v2, or v1 as here): a process
// started through inCgroup is in the machine's group from its first instruction, the
// limits are written, and the group goes once the process has.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  cgroupVersion,
  ensureMachineCgroup,
  inCgroup,
  listMachineCgroups,
  qemuOverheadMb,
  removeMachineCgroup,
} from "./cgroup.ts";

const version = cgroupVersion();
const name = `corral-microvm.cgtest-${process.pid}.t1`;

describe.runIf(version !== "none" && process.getuid?.() === 0)("a machine's control group", () => {
  it("holds the process started in it, with the tenant's limits, and is removed after", async () => {
    const group = await ensureMachineCgroup(name, { cpus: 1.5, memoryMb: 1024 });
    if (!group) throw new Error("no control group");
    const [command, ...args] = inCgroup(group, ["sleep", "30"]) as [string, ...string[]];
    const child = spawn(command, args, { stdio: "ignore" });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The shell exec'd sleep: same pid, now in the group.
    expect(await readFile(`/proc/${child.pid}/cmdline`, "utf8")).toBe("sleep\u000030\u0000");
    expect(await readFile(`/proc/${child.pid}/cgroup`, "utf8")).toContain(
      `/corral-microvm/${name}`,
    );
    const memory = String((1024 + qemuOverheadMb) * 1024 * 1024);
    if (version === "v2") {
      const dir = `/sys/fs/cgroup/corral-microvm/${name}`;
      expect((await readFile(`${dir}/memory.max`, "utf8")).trim()).toBe(memory);
      expect((await readFile(`${dir}/cpu.max`, "utf8")).trim()).toBe("150000 100000");
    } else {
      const dir = (h: string) => `/sys/fs/cgroup/${h}/corral-microvm/${name}`;
      expect((await readFile(`${dir("memory")}/memory.limit_in_bytes`, "utf8")).trim()).toBe(
        memory,
      );
      expect((await readFile(`${dir("cpu")}/cpu.cfs_quota_us`, "utf8")).trim()).toBe("150000");
    }
    expect(await listMachineCgroups(`corral-microvm.cgtest-${process.pid}.`)).toEqual([name]);

    child.kill("SIGKILL");
    await exited;
    await removeMachineCgroup(name);
    expect(existsSync(group.dirs[0] as string)).toBe(false);
    expect(await listMachineCgroups(`corral-microvm.cgtest-${process.pid}.`)).toEqual([]);
    await removeMachineCgroup(name); // absent is fine
  });
});
