// The microvm driver: each tenant's sandbox is a QEMU microvm with its own kernel and its own
// Docker engine; agents are the same hardened containers as with the engine-container driver,
// made by the same parts, in the guest's engine. The guest reaches nothing but the tenant's
// gateway socket (QEMU user networking, restrict=on, one guestfwd); its engine API leaves it
// only as TLS on a loopback port demanding the worker's per-tenant client certificate.
// Machines start from a golden snapshot (engine up, agent images loaded) with a copy-on-write
// disk each, or boot cold when no snapshot fits. Nothing is remembered between calls: a
// tenant's folder (pid file, port, keys, disk) and its QEMU process are found again by name.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type Docker from "dockerode";
import { describeError, UnreachableError } from "../../../common/errors.ts";
import type { GuestImage } from "../../../infra/images/ensure-guest.ts";
import { withFileLock } from "../../../infra/images/file-lock.ts";
import type {
  AgentSpec,
  AgentStats,
  DriverFingerprint,
  GatewayEndpoint,
  LogLine,
  ObservedAgent,
  ObservedSandbox,
  SandboxDiskUsage,
  SandboxDriver,
  SandboxSpec,
} from "../driver.ts";
import { ensureAgentImage } from "../engine-container/agent-image.ts";
import {
  ensureAgentNetwork,
  ensureGatewayRule,
  networkGateway,
} from "../engine-container/agent-network.ts";
import {
  type AgentHome,
  type AgentImages,
  agentLogs,
  agentStats,
  createAgentIn,
  execInAgent,
  listAgentsIn,
  removeAgentIn,
  startAgentIn,
  stopAgentIn,
} from "../engine-container/agents-in-engine.ts";
import { readDiskUsage } from "../engine-container/disk.ts";
import { orNull } from "../engine-container/engine-errors.ts";
import {
  AGENT_NETWORK,
  CA_BUNDLE_NAME,
  GATEWAY_PORT,
  nameSafe,
  SANDBOX_SOCKET_DIR,
} from "../engine-container/names.ts";
import type { ExecResult, SandboxShell } from "../engine-container/run-exec.ts";
import { type Accel, probeKvm } from "./accel.ts";
import { type ApiKeys, ensureApiKeys } from "./api-keys.ts";
import { ensureMachineCgroup, listMachineCgroups, removeMachineCgroup } from "./cgroup.ts";
import { GuestControl, shellQuote, writeFileScript } from "./guest-control.ts";
import {
  createDisk,
  engineClient,
  ensureBlankDisk,
  launch,
  pingGuestEngine,
  provision,
  resumeIfPaused,
  resumeIncoming,
  unprovision,
  waitForGuestEngine,
} from "./machine.ts";
import { DRIVER_NAME, type MachineNames, machineNames } from "./names.ts";
import { findMachine, killMachine, listMachineProcesses, type MachineShape } from "./qemu.ts";
import { withQmp } from "./qmp.ts";

export interface MicrovmDriverOptions {
  /** Host folder holding one mode-700 folder per tenant (pid file, sockets, keys, disk). */
  stateDir: string;
  /** The guest's kernel, initramfs and root disk (infra/images/ensure-guest.ts). */
  guest: GuestImage;
  /** Snapshots and blank disks; default: beside the guest. */
  cacheDir?: string;
  /** Image for agents whose spec names none; loaded into the snapshot. */
  agentImageDefault: string;
  /** More images loaded into the snapshot, so agents using them start without a copy. */
  snapshotImages?: string[];
  /** Start machines from a golden snapshot (default); false boots each one cold. */
  snapshots?: boolean;
  /** "auto" (default) uses KVM only where a guest actually boots with it. */
  accel?: Accel | "auto";
  /** Which worker owns the machines (part of every process name); default "local". */
  hostKey?: string;
  /** Subnet of the agents' network inside every guest. */
  agentSubnet?: string;
  /** Each guest's disk in MiB: its engine's images and containers and its agents' workspaces. */
  storageMb?: number;
  /** Registries a guest's engine may pull agent images from; none by default. */
  allowedRegistries?: string[];
  /** How long a cold boot may take to a ready engine (TCG is slow). */
  bootTimeoutMs?: number;
  log?: (line: string) => void;
}

/** How the last ensureSandbox of a tenant got its engine ready, and how long it took. */
export interface StartRecord {
  from: "running" | "snapshot" | "cold";
  readyMs: number;
}

interface Snapshot {
  dir: string;
  state: string;
  disk: string;
}

/** How long a restore may take to a ready engine before the machine boots cold instead. */
const restoreTimeoutMs = 30_000;
/** What a snapshot holds besides the images (now: the agents' network); part of its name. */
const snapshotLayout = 2;
const DEFAULT_STORAGE_MB = 10240;
/** Leftovers of a killed worker are looked for at most this often (and at a worker's start). */
const sweepEveryMs = 10_000;

export class MicrovmDriver implements SandboxDriver {
  readonly name = DRIVER_NAME;
  readonly #host: Docker;
  readonly #options: MicrovmDriverOptions;
  readonly #hostKey: string;
  readonly #cacheDir: string;
  readonly #gatewayAddress: string;
  readonly #agentSubnet: string;
  readonly #storageMb: number;
  readonly #bootTimeoutMs: number;
  readonly #log: (line: string) => void;
  readonly #engines = new Map<string, { port: number; engine: Docker }>();
  readonly #controls = new Map<string, GuestControl>();
  #accel: Promise<Accel> | null = null;
  /** By tenant: how its engine became ready (for benchmarks and tests). */
  readonly starts = new Map<string, StartRecord>();
  /** Machine process names this process is starting now (the sweep leaves them alone). */
  readonly #starting = new Set<string>();
  /** When the last sweep ran: it reads every process's command line, so not on every list. */
  #sweptAt = 0;

  constructor(host: Docker, options: MicrovmDriverOptions) {
    this.#host = host;
    this.#options = options;
    this.#hostKey = options.hostKey ?? "local";
    this.#cacheDir = options.cacheDir ?? path.dirname(options.guest.dir);
    this.#agentSubnet = options.agentSubnet ?? "10.213.0.0/20";
    this.#gatewayAddress = networkGateway(this.#agentSubnet);
    this.#storageMb = options.storageMb ?? DEFAULT_STORAGE_MB;
    this.#bootTimeoutMs = options.bootTimeoutMs ?? 180_000;
    this.#log = options.log ?? (() => {});
  }

  accel(): Promise<Accel> {
    const wanted = this.#options.accel ?? "auto";
    if (wanted !== "auto") return Promise.resolve(wanted);
    this.#accel ??= probeKvm(this.#options.guest.kernel).then((kvm) => (kvm ? "kvm" : "tcg"));
    return this.#accel;
  }

  async fingerprint(): Promise<DriverFingerprint> {
    const accel = await this.accel();
    const labels = { driver: DRIVER_NAME, microvm: "true", container: "false", accel };
    const { cpus, memoryMb } = await hostCapacity();
    const missing = [this.#options.guest.kernel, this.#options.guest.rootfs].filter(
      (file) => !existsSync(file),
    );
    return {
      driver: DRIVER_NAME,
      healthy: missing.length === 0,
      reason: missing.length ? `guest files missing: ${missing.join(", ")}` : undefined,
      labels,
      capacity: { cpus, memoryMb },
    };
  }

  /** Lets go of the guests' control channels (a worker shutting down; machines keep running). */
  close(): void {
    for (const control of this.#controls.values()) control.close();
    this.#controls.clear();
  }

  // --- Sandboxes -------------------------------------------------------------------------

  async ensureSandbox(spec: SandboxSpec): Promise<void> {
    const names = this.#names(spec.tenantId);
    this.#starting.add(names.processName);
    try {
      await this.#ensureSandbox(spec, names);
    } finally {
      this.#starting.delete(names.processName);
    }
  }

  async #ensureSandbox(spec: SandboxSpec, names: MachineNames): Promise<void> {
    await this.accel(); // probed once; not part of the start it would otherwise slow
    const started = performance.now();
    await mkdir(names.dir, { recursive: true, mode: 0o700 });
    await mkdir(names.runDir, { recursive: true, mode: 0o700 });
    await writeFile(names.tenantFile, spec.tenantId, { mode: 0o600 });
    const keys = await ensureApiKeys(names.tlsDir);

    let from: StartRecord["from"] = "running";
    const pid = await findMachine(names);
    let engine: Docker | null = null;
    if (pid !== null) {
      // Running: usable as it is, or after the steps a crashed worker left undone.
      engine = await this.#reattach(names, keys).catch((error) => {
        this.#log(
          `microvm ${spec.tenantSlug}: restarting an unusable machine (${describeError(error)})`,
        );
        return null;
      });
      if (!engine) await killMachine(pid, names.processName);
    }
    if (!engine) {
      from = await this.#start(names, spec, keys);
      engine = await this.#engineOf(names);
    }
    await ensureAgentNetwork(engine, spec.tenantId, this.#agentSubnet, DRIVER_NAME);
    // A machine that just started has the rules its init set; one that ran may need repair.
    if (from === "running") await ensureGatewayRule(this.#shell(names), this.#gatewayAddress);
    this.starts.set(spec.tenantId, { from, readyMs: Math.round(performance.now() - started) });
  }

  gatewayEndpoint(tenantId: string): GatewayEndpoint {
    const names = this.#names(tenantId);
    return { socketPath: names.gatewaySocketPath, caBundlePath: names.caBundlePath };
  }

  async destroySandbox(tenantId: string): Promise<void> {
    const names = this.#names(tenantId);
    const pid = await findMachine(names);
    if (pid !== null) await killMachine(pid, names.processName);
    await removeMachineCgroup(names.processName);
    await rm(names.dir, { recursive: true, force: true });
    this.#engines.delete(tenantId);
    this.#controls.get(tenantId)?.close();
    this.#controls.delete(tenantId);
    this.starts.delete(tenantId);
  }

  async listSandboxes(only?: ReadonlySet<string>): Promise<ObservedSandbox[]> {
    await this.#sweep();
    let entries: string[];
    try {
      entries = await readdir(this.#options.stateDir);
    } catch {
      return [];
    }
    const found: ObservedSandbox[] = [];
    for (const entry of entries) {
      const tenantId = await readFile(
        path.join(this.#options.stateDir, entry, "tenant"),
        "utf8",
      ).catch(() => null);
      if (tenantId === null || (only && !only.has(tenantId))) continue;
      const names = this.#names(tenantId);
      if ((await findMachine(names)) === null) {
        found.push({ tenantId, ready: false, reason: "the machine is not running" });
        continue;
      }
      const engine = await this.#engineOrNull(names);
      const reason = engine ? await pingGuestEngine(engine) : "the machine has no engine port";
      if (reason !== null || !engine) {
        found.push({ tenantId, ready: false, reason: reason ?? "no engine" });
        continue;
      }
      // Ready for agents: a worker killed mid-provision may have left no agents' network.
      if (!(await orNull(engine.getNetwork(AGENT_NETWORK).inspect()))) {
        found.push({ tenantId, ready: false, reason: "the agents' network is missing" });
        continue;
      }
      found.push({ tenantId, ready: true });
    }
    return found;
  }

  // --- Agents ------------------------------------------------------------------------------

  async listAgents(tenantId: string): Promise<ObservedAgent[]> {
    return listAgentsIn(await this.#readyEngine(tenantId), tenantId);
  }

  async createAgent(spec: AgentSpec): Promise<void> {
    const home = await this.#home(spec.tenantId);
    if (spec.gateway) await this.#syncCaBundle(this.#names(spec.tenantId));
    await createAgentIn(home, this.#images(), spec);
  }

  async startAgent(tenantId: string, agentId: string): Promise<void> {
    await startAgentIn(await this.#readyEngine(tenantId), tenantId, agentId);
  }

  async stopAgent(tenantId: string, agentId: string): Promise<void> {
    await stopAgentIn(await this.#readyEngine(tenantId), tenantId, agentId);
  }

  async removeAgent(
    tenantId: string,
    agentId: string,
    options: { purge?: boolean; keepGeneration?: number } = {},
  ): Promise<void> {
    await removeAgentIn(await this.#home(tenantId), tenantId, agentId, options);
  }

  async logs(
    tenantId: string,
    agentId: string,
    options: { since?: Date; tail?: number },
  ): Promise<LogLine[]> {
    return agentLogs(await this.#readyEngine(tenantId), tenantId, agentId, options);
  }

  async stats(tenantId: string, agentId: string): Promise<AgentStats> {
    return agentStats(await this.#readyEngine(tenantId), tenantId, agentId);
  }

  async diskUsage(tenantId: string, agentIds: string[]): Promise<SandboxDiskUsage> {
    await this.#readyEngine(tenantId);
    return readDiskUsage(this.#shell(this.#names(tenantId)), agentIds);
  }

  async exec(tenantId: string, agentId: string, command: string[]): Promise<ExecResult> {
    return execInAgent(await this.#readyEngine(tenantId), tenantId, agentId, command);
  }

  async #home(tenantId: string): Promise<AgentHome> {
    return {
      engine: await this.#readyEngine(tenantId),
      shell: this.#shell(this.#names(tenantId)),
      driver: DRIVER_NAME,
    };
  }

  #images(): AgentImages {
    return {
      host: this.#host,
      agentImageDefault: this.#options.agentImageDefault,
      allowedRegistries: this.#options.allowedRegistries ?? [],
      gatewayAddress: this.#gatewayAddress,
    };
  }

  // --- Machines ----------------------------------------------------------------------------

  /** A running machine made usable: resumed if paused, keys sent again if its API is shut. */
  async #reattach(names: MachineNames, keys: ApiKeys): Promise<Docker> {
    await resumeIfPaused(names);
    const engine = await this.#engineOrNull(names);
    if (!engine) throw new Error("no engine port recorded");
    if ((await pingGuestEngine(engine)) !== null) {
      await provision(this.#control(names), keys, 15_000);
      await waitForGuestEngine(engine, this.#bootTimeoutMs, async () => true);
    }
    return engine;
  }

  /** Starts the tenant's machine: from the snapshot when one fits, else a cold boot. */
  async #start(
    names: MachineNames,
    spec: SandboxSpec,
    keys: ApiKeys,
  ): Promise<StartRecord["from"]> {
    for (const stale of [names.pidFile, names.qmpSocket, names.controlSocket, names.portFile])
      await rm(stale, { force: true });
    this.#engines.delete(names.tenantId);
    this.#controls.get(names.tenantId)?.close();
    this.#controls.delete(names.tenantId);
    const shape = shapeOf(spec);
    // A disk of its own already holds the tenant's data: a snapshot's memory would not match it.
    if (!existsSync(names.disk) && this.#options.snapshots !== false) {
      try {
        const snapshot = await this.#ensureSnapshot(shape);
        await createDisk(names.disk, snapshot.disk, this.#storageMb);
        await this.#launch(names, shape, snapshot.state, spec.cpus);
        await resumeIncoming(names, restoreTimeoutMs);
        // A restore is ready in seconds; one that is not soon will not be: boot cold instead.
        await this.#provisionAndWait(names, keys, restoreTimeoutMs);
        return "snapshot";
      } catch (error) {
        this.#log(
          `microvm ${spec.tenantSlug}: restore failed, booting cold (${describeError(error)})`,
        );
        const pid = await findMachine(names);
        if (pid !== null) await killMachine(pid, names.processName);
        await rm(names.disk, { force: true });
      }
    }
    if (!existsSync(names.disk))
      await createDisk(names.disk, await this.#blankDisk(), this.#storageMb);
    await this.#launch(names, shape, undefined, spec.cpus);
    await this.#provisionAndWait(names, keys);
    return "cold";
  }

  /** QEMU in a group of its own, limited to `cpus` (the tenant's quota) and its memory. */
  async #launch(
    names: MachineNames,
    shape: MachineShape,
    incoming?: string,
    cpus: number = shape.vcpus,
  ): Promise<void> {
    const cgroup = await ensureMachineCgroup(names.processName, {
      cpus,
      memoryMb: shape.memoryMb,
    });
    await launch({
      cgroup,
      names,
      files: this.#options.guest,
      shape,
      accel: await this.accel(),
      gatewayAddress: this.#gatewayAddress,
      gatewayPort: GATEWAY_PORT,
      incoming,
    });
  }

  async #provisionAndWait(
    names: MachineNames,
    keys: ApiKeys,
    timeoutMs = this.#bootTimeoutMs,
  ): Promise<void> {
    await provision(this.#control(names), keys, timeoutMs);
    const engine = await this.#engineOf(names);
    await waitForGuestEngine(engine, timeoutMs, async () => (await findMachine(names)) !== null);
  }

  async #blankDisk(): Promise<string> {
    const blank = path.join(this.#cacheDir, `blank-${this.#storageMb}.qcow2`);
    await mkdir(this.#cacheDir, { recursive: true });
    await withFileLock(`${blank}.lock`, () => ensureBlankDisk(blank, this.#storageMb));
    return blank;
  }

  /**
   * The golden snapshot for this shape: a machine booted once, its engine up and the agent
   * images loaded, paused and saved (memory to a file, disk frozen as every tenant's backing
   * file). Named by everything it depends on, so a new guest, image or setting makes another.
   */
  async #ensureSnapshot(shape: MachineShape): Promise<Snapshot> {
    const images = [this.#options.agentImageDefault, ...(this.#options.snapshotImages ?? [])];
    const imageIds = await Promise.all(
      images.map(async (image) => (await this.#host.getImage(image).inspect()).Id),
    );
    const accel = await this.accel();
    const key = createHash("sha256")
      .update(
        JSON.stringify([
          snapshotLayout,
          this.#options.guest.tag,
          shape,
          this.#storageMb,
          this.#gatewayAddress,
          imageIds,
          accel,
        ]),
      )
      .digest("hex")
      .slice(0, 16);
    const dir = path.join(this.#cacheDir, "snapshots", key);
    const snapshot = {
      dir,
      state: path.join(dir, "state.bin"),
      disk: path.join(dir, "disk.qcow2"),
    };
    if (existsSync(snapshot.state)) return snapshot;
    await mkdir(path.dirname(dir), { recursive: true });
    return withFileLock(`${dir}.lock`, async () => {
      if (existsSync(snapshot.state)) return snapshot;
      const started = performance.now();
      this.#log(`microvm: making the snapshot ${key} (a cold boot, then the agent images)`);
      // A scratch machine in the state folder (dot-named: never listed as a tenant's), named
      // by the key: one a worker left behind when it died making this snapshot goes first.
      const scratchDir = path.join(this.#options.stateDir, `.s${key}`);
      const names = machineNames(scratchDir, this.#hostKey, `snapshot-${key}`);
      this.#starting.add(names.processName);
      const orphan = await findMachine(names);
      if (orphan !== null) await killMachine(orphan, names.processName);
      await rm(scratchDir, { recursive: true, force: true });
      await mkdir(names.runDir, { recursive: true, mode: 0o700 });
      try {
        const keys = await ensureApiKeys(names.tlsDir);
        await createDisk(names.disk, await this.#blankDisk(), this.#storageMb);
        await this.#launch(names, shape);
        await this.#provisionAndWait(names, keys);
        const engine = await this.#engineOf(names);
        for (const image of images) await ensureAgentImage(this.#host, engine, image, []);
        // The agents' network too (its creation takes seconds under TCG): every tenant restored
        // from the snapshot finds it made, labelled with no tenant.
        await ensureAgentNetwork(engine, "", this.#agentSubnet, DRIVER_NAME);
        await unprovision(this.#control(names));
        this.#control(names).close();
        await withQmp(names.qmpSocket, async (qmp) => {
          await qmp.execute("stop");
          await qmp.execute("migrate", { uri: `exec:cat > ${path.join(names.dir, "state.bin")}` });
          await qmp.waitForMigration(300_000);
          await qmp.execute("quit").catch(() => {});
        });
        const pid = await findMachine(names);
        if (pid !== null) await killMachine(pid, names.processName);
        const scratchSnapshot = `${dir}.new`;
        await rm(scratchSnapshot, { recursive: true, force: true });
        await mkdir(scratchSnapshot);
        await rename(path.join(names.dir, "state.bin"), path.join(scratchSnapshot, "state.bin"));
        await rename(names.disk, path.join(scratchSnapshot, "disk.qcow2"));
        await rename(scratchSnapshot, dir);
        this.#log(
          `microvm: snapshot ${key} made in ${((performance.now() - started) / 1000).toFixed(1)} s`,
        );
        return snapshot;
      } finally {
        const pid = await findMachine(names);
        if (pid !== null) await killMachine(pid, names.processName);
        await removeMachineCgroup(names.processName);
        this.#starting.delete(names.processName);
        this.#controls.get(names.tenantId)?.close();
        this.#controls.delete(names.tenantId);
        this.#engines.delete(names.tenantId);
        await rm(scratchDir, { recursive: true, force: true });
      }
    });
  }

  /**
   * What a worker killed mid-start leaves that no tenant owns: a folder that never got its
   * tenant file, a snapshot's scratch machine, a QEMU whose folder is gone, an empty control
   * group. Found by name (this worker's prefix), removed; machines this process is starting
   * now are left alone.
   */
  async #sweep(): Promise<void> {
    if (Date.now() - this.#sweptAt < sweepEveryMs) return;
    this.#sweptAt = Date.now();
    const prefix = `corral-microvm.${nameSafe(this.#hostKey)}.`;
    const entries = await readdir(this.#options.stateDir).catch(() => [] as string[]);
    const owned = new Set<string>();
    for (const entry of entries) {
      const dir = path.join(this.#options.stateDir, entry);
      // Scratch machines are named by the snapshot they make (see #ensureSnapshot).
      const processName = entry.startsWith(".s")
        ? `${prefix}${nameSafe(`snapshot-${entry.slice(2)}`)}`
        : `${prefix}${entry}`;
      if (this.#starting.has(processName)) {
        owned.add(processName);
        continue;
      }
      const orphan = entry.startsWith(".s") || !existsSync(path.join(dir, "tenant"));
      if (!orphan) {
        owned.add(processName);
        continue;
      }
      this.#log(`microvm: removing ${entry}, left by a worker that stopped mid-start`);
      await this.#removeMachine(processName);
      await rm(dir, { recursive: true, force: true });
    }
    for (const [name, pid] of await listMachineProcesses(prefix)) {
      if (owned.has(name)) continue;
      this.#log(`microvm: stopping ${name}, a machine with no folder`);
      await killMachine(pid, name);
    }
    for (const name of await listMachineCgroups(prefix)) {
      if (!owned.has(name)) await removeMachineCgroup(name);
    }
  }

  async #removeMachine(processName: string): Promise<void> {
    const pid = (await listMachineProcesses(processName)).get(processName);
    if (pid !== undefined) await killMachine(pid, processName);
    await removeMachineCgroup(processName);
  }

  // --- Helpers -----------------------------------------------------------------------------

  #names(tenantId: string): MachineNames {
    return machineNames(this.#options.stateDir, this.#hostKey, tenantId);
  }

  #control(names: MachineNames): GuestControl {
    let control = this.#controls.get(names.tenantId);
    if (!control || control.socketPath !== names.controlSocket) {
      control = new GuestControl(names.controlSocket);
      this.#controls.set(names.tenantId, control);
    }
    return control;
  }

  /** Commands as the guest's root, over its control channel. */
  #shell(names: MachineNames): SandboxShell {
    const control = this.#control(names);
    return (command) => control.run(command.map(shellQuote).join(" "));
  }

  /** The guest engine's client for the port its machine recorded; null without one. */
  async #engineOrNull(names: MachineNames): Promise<Docker | null> {
    const port = Number.parseInt(await readFile(names.portFile, "utf8").catch(() => ""), 10);
    if (!Number.isInteger(port)) return null;
    const cached = this.#engines.get(names.tenantId);
    if (cached?.port === port) return cached.engine;
    const keys = await ensureApiKeys(names.tlsDir);
    const engine = engineClient(port, keys);
    this.#engines.set(names.tenantId, { port, engine });
    return engine;
  }

  async #engineOf(names: MachineNames): Promise<Docker> {
    const engine = await this.#engineOrNull(names);
    if (!engine) throw new Error(`the machine of ${names.tenantId} recorded no engine port`);
    return engine;
  }

  /** The tenant's guest engine, or UnreachableError when it does not answer. */
  async #readyEngine(tenantId: string): Promise<Docker> {
    const names = this.#names(tenantId);
    const engine = await this.#engineOrNull(names);
    const reason = engine ? await pingGuestEngine(engine) : "the machine has no engine port";
    if (reason !== null || !engine) {
      throw new UnreachableError(`sandbox of tenant ${tenantId} is not ready: ${reason}`);
    }
    return engine;
  }

  /** The gateway's CA bundle, copied into the guest where agents mount it (when changed). */
  async #syncCaBundle(names: MachineNames): Promise<void> {
    const bundle = await readFile(names.caBundlePath).catch(() => null);
    if (!bundle) return;
    const target = `${SANDBOX_SOCKET_DIR}/${CA_BUNDLE_NAME}`;
    const digest = createHash("sha256").update(bundle).digest("hex");
    const result = await this.#control(names).run(
      [
        `[ "$(sha256sum ${target} 2>/dev/null | cut -d' ' -f1)" = ${digest} ] && exit 0`,
        writeFileScript(target, bundle, "0644"),
      ].join("\n"),
    );
    if (result.exitCode !== 0)
      throw new Error(`could not copy the CA bundle into the guest: ${result.output.trim()}`);
  }
}

function shapeOf(spec: SandboxSpec): MachineShape {
  return { vcpus: Math.max(1, Math.ceil(spec.cpus)), memoryMb: Math.max(512, spec.memoryMb) };
}

async function hostCapacity(): Promise<{ cpus: number; memoryMb: number }> {
  const { availableParallelism, totalmem } = await import("node:os");
  return { cpus: availableParallelism(), memoryMb: Math.floor(totalmem() / (1024 * 1024)) };
}
