// An agent's life inside a tenant's private engine, whatever holds that engine (a privileged
// container or a microVM): both drivers find the engine and the sandbox's shell, then ask
// these. Containers are found by their labels, never remembered.
import type Docker from "dockerode";
import type { AgentSpec, AgentStats, LogLine, ObservedAgent } from "../driver.ts";
import { agentContainerOptions, cpuLimitOptions } from "./agent-container.ts";
import {
  canHold,
  forgetRelease,
  heldContainerOptions,
  holdContainer,
  markReleased,
  releasedAt,
  wakeHeld,
} from "./agent-hold.ts";
import { ensureAgentImage } from "./agent-image.ts";
import {
  type AgentContainer,
  cpuLimitApplied,
  findAgentContainers,
  parseLogLines,
  toAgentStats,
  toObservedAgent,
} from "./agent-observe.ts";
import { engineMessage, orNull, statusOf, tolerating } from "./engine-errors.ts";
import { agentContainerName, agentLabels, LABEL } from "./names.ts";
import { type ExecResult, runExec, type SandboxShell } from "./run-exec.ts";
import { ensureWorkspace, removeWorkspace } from "./workspace.ts";

/** The agent asked for has no container in its sandbox (yet, or any more). */
export class AgentNotFoundError extends Error {
  override name = "AgentNotFoundError";
}

const stopTimeoutSeconds = 10;

/** Where a tenant's agents live: its engine, and a root shell in what holds that engine. */
export interface AgentHome {
  engine: Docker;
  shell: SandboxShell;
  /** The driver holding the engine, written on what is made in it (corral.driver). */
  driver: string;
  /** Which boot of the sandbox this is, where the driver can tell (workspace.ts). */
  boot?: string;
}

export interface AgentImages {
  /** The worker's own engine, where local images come from. */
  host: Docker;
  agentImageDefault: string;
  allowedRegistries: string[];
  /** The agents' door (the sandbox's address for the gateway forwarder). */
  gatewayAddress: string;
}

export async function listAgentsIn(engine: Docker, tenantId: string): Promise<ObservedAgent[]> {
  const observed = await Promise.all(
    (await findAgentContainers(engine, tenantId)).map(async (container) => {
      const info = await orNull(engine.getContainer(container.id).inspect());
      return info ? toObservedAgent(info, releasedAt(info.Id)) : null;
    }),
  );
  return observed.filter((agent): agent is ObservedAgent => agent !== null);
}

export async function createAgentIn(home: AgentHome, images: AgentImages, spec: AgentSpec) {
  const { engine } = home;
  const image = spec.image || images.agentImageDefault;
  // The image check runs beside the workspace's preparation (one round trip less on a cold
  // start, #15). The older runs go before the workspace is touched: a workspace grows only
  // when nothing has it mounted.
  const [, workspace] = await Promise.all([
    ensureAgentImage(images.host, engine, image, images.allowedRegistries),
    removeLiveOlderRuns(engine, spec).then(() =>
      ensureWorkspace(engine, home.shell, spec, home.driver, home.boot),
    ),
  ]);
  // Made straight away: a container already there answers 409 and is checked then (one
  // engine call less on every cold start).
  const name = agentContainerName(spec.agentId, spec.generation);
  const plain = agentContainerOptions(spec, image, workspace, images.gatewayAddress, home.driver);
  const options = spec.hold
    ? heldContainerOptions(plain, await engine.getImage(image).inspect(), spec.command)
    : plain;
  const made = await createNamed(engine, name, spec, options);
  if (!spec.hold) return;
  const container = engine.getContainer(name);
  // One found made (a hold cut short, or stopped since) is started again.
  if (!made || (await canHold(container))) return holdContainer(container);
  // No shell in the image: its next run waits created instead (a start only).
  await tolerating([404, 409], container.remove({ force: true }));
  await createNamed(engine, name, spec, plain);
}

/**
 * A new generation replaces the agent's container: running older ones go now (two runs must
 * not share the workspace); finished ones are cleared by removeAgentIn with keepGeneration
 * once the new run has started, off the start's critical path.
 */
async function removeLiveOlderRuns(engine: Docker, spec: AgentSpec) {
  for (const container of await findAgentContainers(engine, spec.tenantId, spec.agentId)) {
    const live = container.state === "running" || container.state === "restarting";
    if (container.generation !== spec.generation && live) {
      await tolerating([404, 409], engine.getContainer(container.id).remove({ force: true }));
    }
  }
}

/** Creates the container; false when it exists already (made by an earlier or concurrent call). */
async function createNamed(
  engine: Docker,
  name: string,
  spec: AgentSpec,
  options: Docker.ContainerCreateOptions,
): Promise<boolean> {
  try {
    await engine.createContainer(options);
    return true;
  } catch (error) {
    if (statusOf(error) !== 409) throw error;
    // A concurrent create holds the name: fine once its container shows up as this agent's
    // (the engine reserves a name before the container can be inspected).
    for (let attempt = 0; attempt < 40; attempt++) {
      if (await isThisAgent(engine, name, spec)) return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw error;
  }
}

/**
 * Starts the agent's newest container. A held one (agent-hold.ts) already runs: its CPU limit,
 * put in force now, releases it and a signal wakes it.
 */
export async function startAgentIn(engine: Docker, tenantId: string, agentId: string) {
  const current = await currentContainer(engine, tenantId, agentId);
  const container = engine.getContainer(current.id);
  if (current.state === "running" || current.state === "restarting") {
    // Held, or started by a pass cut short before its limit was set: the limit is all it lacks.
    if (cpuLimitApplied(await container.inspect())) return;
  } else if (current.state === "paused") await container.unpause();
  else await tolerating([304], container.start());
  // Only a held container carries a limit to put in force (or one made before #15's change):
  // the others had theirs from the create.
  if (current.cpuLimit !== undefined) await applyCpuLimit(container, current.cpuLimit);
  if (current.held) {
    await wakeHeld(container);
    markReleased(current.id);
  }
}

/**
 * Sets the running container's CPU limit. One that exited before the limit landed (a crash
 * at once) is waited for while the engine restarts it; one still not running after that gets
 * its limit from a later pass (ObservedAgent.limitsPending).
 */
async function applyCpuLimit(container: Docker.Container, nanoCpus: number) {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await updateCpuLimit(container, nanoCpus);
      return;
    } catch (error) {
      if (!/stopped container/i.test(engineMessage(error))) throw error;
    }
    const { State } = await container.inspect();
    if (!State.Running && !State.Restarting) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A container made before the limit's 1 s period (#15) got NanoCpus at its first start, and
 * the engine refuses to mix the two forms on one container: such a one keeps NanoCpus.
 */
async function updateCpuLimit(container: Docker.Container, nanoCpus: number) {
  try {
    await container.update(cpuLimitOptions(nanoCpus));
  } catch (error) {
    if (!/conflicting options/i.test(engineMessage(error))) throw error;
    await container.update({ NanoCpus: nanoCpus });
  }
}

export async function stopAgentIn(engine: Docker, tenantId: string, agentId: string) {
  for (const container of await findAgentContainers(engine, tenantId, agentId)) {
    if (["created", "exited", "dead"].includes(container.state)) continue;
    await tolerating([304, 404], engine.getContainer(container.id).stop({ t: stopTimeoutSeconds }));
  }
}

export async function removeAgentIn(
  home: AgentHome,
  tenantId: string,
  agentId: string,
  options: { purge?: boolean; keepGeneration?: number } = {},
) {
  for (const container of await findAgentContainers(home.engine, tenantId, agentId)) {
    if (container.generation === options.keepGeneration) continue;
    // 409: a removal already under way.
    await tolerating([404, 409], home.engine.getContainer(container.id).remove({ force: true }));
    forgetRelease(container.id);
  }
  // The workspace goes only with the whole agent, never while a generation is kept.
  if (options.purge && options.keepGeneration === undefined) {
    await removeWorkspace(home.engine, home.shell, agentId);
  }
}

export async function agentLogs(
  engine: Docker,
  tenantId: string,
  agentId: string,
  options: { since?: Date; tail?: number },
): Promise<LogLine[]> {
  const current = await lastRun(engine, tenantId, agentId);
  const raw = (await engine.getContainer(current.id).logs({
    stdout: true,
    stderr: true,
    timestamps: true,
    follow: false,
    // The engine takes fractional seconds.
    since: options.since ? options.since.getTime() / 1000 : undefined,
    tail: options.tail,
  })) as unknown as Buffer;
  return parseLogLines(raw);
}

export async function agentStats(
  engine: Docker,
  tenantId: string,
  agentId: string,
): Promise<AgentStats> {
  const current = await lastRun(engine, tenantId, agentId);
  return toAgentStats(await engine.getContainer(current.id).stats({ stream: false }));
}

/** As the container's own (non-root) user, without privileges. */
export async function execInAgent(
  engine: Docker,
  tenantId: string,
  agentId: string,
  command: string[],
): Promise<ExecResult> {
  const current = await currentContainer(engine, tenantId, agentId);
  return runExec(engine.getContainer(current.id), command);
}

/** The agent's newest-generation container. */
async function currentContainer(engine: Docker, tenantId: string, agentId: string) {
  const [current] = await findAgentContainers(engine, tenantId, agentId);
  if (!current) {
    throw new AgentNotFoundError(`agent ${agentId} has no container in the sandbox of ${tenantId}`);
  }
  return current;
}

/**
 * The newest container that has run: a stopped agent's next run waits created or held beside
 * its last one (warm start), and the last run's words are the ones to show until it starts.
 */
async function lastRun(engine: Docker, tenantId: string, agentId: string) {
  const containers = await findAgentContainers(engine, tenantId, agentId);
  let ran: AgentContainer | undefined;
  for (const c of containers) {
    if (c.state === "created" || (await waitingHeld(engine, c))) continue;
    ran = c;
    break;
  }
  ran ??= containers[0];
  if (!ran) {
    throw new AgentNotFoundError(`agent ${agentId} has no container in the sandbox of ${tenantId}`);
  }
  return ran;
}

/** A held container whose start has not come: it runs only the prelude. */
async function waitingHeld(engine: Docker, container: AgentContainer): Promise<boolean> {
  if (!container.held || container.state !== "running") return false;
  const info = await orNull(engine.getContainer(container.id).inspect());
  return info !== null && !cpuLimitApplied(info);
}

/** Does the container called `name` exist and carry this agent's labels? */
async function isThisAgent(engine: Docker, name: string, spec: AgentSpec): Promise<boolean> {
  const info = await orNull(engine.getContainer(name).inspect());
  if (!info) return false;
  // Which driver made it does not matter (older microVM guests say engine-container).
  const { [LABEL.driver]: _driver, ...wanted } = agentLabels(
    spec.tenantId,
    spec.agentId,
    spec.generation,
  );
  const labels = info.Config.Labels ?? {};
  if (!Object.entries(wanted).every(([key, value]) => labels[key] === value)) {
    throw new Error(
      `container ${name} exists in the sandbox of ${spec.tenantId} but is not this agent's`,
    );
  }
  return true;
}
