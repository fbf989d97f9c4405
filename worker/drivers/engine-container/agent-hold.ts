// Held containers: a stopped agent's next run made ready ahead of its start (#15). The engine's
// start of a container is most of a raw `docker run`, so a container that is merely created
// cannot start much faster than one made on the spot. A held container is already started,
// with a short shell prelude in front of the image's own command that waits; its start puts
// the container's CPU limit in force and wakes the prelude, which becomes the agent's process.
//
// The prelude runs the agent only once the CPU limit is in force, and the limit is set only by
// a start (startAgentIn), so:
// - a held container never runs the agent, whatever signal reaches it;
// - after a crash, the engine's restart finds the limit set and the agent runs at once;
// - nothing the agent can write (its workspace) decides when it runs: the cgroup files are
//   read-only inside the container.
// The start's signal only saves the wait: a prelude that misses it (a worker killed between
// the limit and the signal) notices the limit within `recheckSeconds`.
//
// Not the engine's pause: a frozen process cannot be killed, so a sandbox holding one could
// not be stopped (its engine reports "did not receive an exit event", seen here).
// Images without /bin/sh or sleep cannot be held; their next run waits created (a start only).
import type Docker from "dockerode";
import { cpuLimitApplied } from "./agent-observe.ts";
import { orNull, tolerating } from "./engine-errors.ts";
import { LABEL } from "./names.ts";

const recheckSeconds = 2;

/** cgroup v2 names the quota in cpu.max ("max" = none), v1 in cfs_quota_us (-1 = none). */
export const HOLD_SCRIPT = [
  "trap : USR1",
  "limited() {",
  '  if [ -r /sys/fs/cgroup/cpu.max ]; then read -r q _ < /sys/fs/cgroup/cpu.max; [ "$q" != max ]',
  '  else read -r q < /sys/fs/cgroup/cpu/cpu.cfs_quota_us && [ "$q" != -1 ]; fi',
  "}",
  `until limited; do sleep ${recheckSeconds} & wait $!; kill $! 2>/dev/null; done`,
  '[ "$#" -gt 0 ] || { echo "corral: the image names no command to run" >&2; exit 64; }',
  'exec "$@"',
].join("\n");

/** The image's own command line: its entrypoint, then the agent's command or the image's. */
export function imageCommand(image: Docker.ImageInspectInfo, command: string[]): string[] {
  const entrypoint = image.Config.Entrypoint ?? [];
  const cmd = command.length > 0 ? command : (image.Config.Cmd ?? []);
  return [...(Array.isArray(entrypoint) ? entrypoint : [entrypoint]), ...cmd];
}

/**
 * The same container behind the prelude, and without its CPU limit: that is written on a label
 * (LABEL.cpuLimit, in billionths of a CPU) for the start to put in force.
 */
export function heldContainerOptions(
  options: Docker.ContainerCreateOptions,
  image: Docker.ImageInspectInfo,
  command: string[],
): Docker.ContainerCreateOptions {
  const { CpuPeriod, CpuQuota, NanoCpus: _none, ...hostConfig } = options.HostConfig ?? {};
  if (!CpuPeriod || !CpuQuota) throw new Error("a held container needs the agent's CPU limit");
  return {
    ...options,
    HostConfig: hostConfig,
    Entrypoint: ["/bin/sh", "-c", HOLD_SCRIPT, "corral-hold"],
    Cmd: imageCommand(image, command),
    // Named, so the wake-up is not taken for a stop: the engine ends the restart policy of a
    // container killed with any signal when none is named (seen on Docker 20.10).
    StopSignal: (image.Config as { StopSignal?: string }).StopSignal || "SIGTERM",
    Labels: {
      ...options.Labels,
      [LABEL.hold]: "true",
      [LABEL.cpuLimit]: String(Math.round((CpuQuota / CpuPeriod) * 1e9)),
    },
  };
}

/**
 * Whether the made container has what the prelude needs. Asked of its filesystem before it
 * starts: once started, a missing shell only shows as the init's exit and a restart loop.
 */
export async function canHold(container: Docker.Container): Promise<boolean> {
  const has = async (path: string) => (await orNull(container.infoArchive({ path }))) !== null;
  const [shell, sleep, usrSleep] = await Promise.all([
    has("/bin/sh"),
    has("/bin/sleep"),
    has("/usr/bin/sleep"),
  ]);
  return shell && (sleep || usrSleep);
}

/** Starts a held container. Idempotent; one already released by a start is left alone. */
export async function holdContainer(container: Docker.Container): Promise<void> {
  const info = await container.inspect();
  if (info.Config.Labels?.[LABEL.hold] !== "true" || cpuLimitApplied(info)) return;
  if (!info.State.Running) await tolerating([304], container.start());
}

/** Wakes a held container's prelude once its limit is in force (409: it stopped meanwhile). */
export async function wakeHeld(container: Docker.Container): Promise<void> {
  await tolerating([409], container.kill({ signal: "SIGUSR1" }));
}

/**
 * When each held container was released, by this worker: the engine's StartedAt is when it was
 * held. Lost with the worker, after which StartedAt is reported (earlier than the real start).
 */
const releases = new Map<string, string>();

export const markReleased = (containerId: string) =>
  releases.set(containerId, new Date().toISOString());
export const releasedAt = (containerId: string) => releases.get(containerId);
export const forgetRelease = (containerId: string) => releases.delete(containerId);
