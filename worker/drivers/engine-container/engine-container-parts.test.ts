// The driver's pure parts, without an engine: names, container settings, stream parsing.
import type Docker from "dockerode";
import { describe, expect, it } from "vitest";
import { type AgentSpec, AgentSpecError } from "../driver.ts";
import { agentContainerOptions } from "./agent-container.ts";
import { heldContainerOptions } from "./agent-hold.ts";
import { splitTag } from "./agent-image.ts";
import { cpuLimitApplied, parseLogLines, toAgentStats } from "./agent-observe.ts";
import { parseFrames } from "./multiplexed.ts";
import { agentContainerName, checkSocketPath, LABEL, nameSafe, sandboxNames } from "./names.ts";

function frame(type: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

const spec: AgentSpec = {
  tenantId: "t1",
  agentId: "agent-1",
  name: "Researcher",
  generation: 3,
  image: "corral/agent-base:x",
  command: [],
  env: { MODE: "fast" },
  cpus: 1.5,
  memoryMb: 256,
  pids: 100,
  workspaceMb: 500,
};

describe("engine-container names", () => {
  it("uses ids as they are when Docker allows them, a stable hash otherwise", () => {
    expect(nameSafe("cm3x9abc")).toBe("cm3x9abc");
    expect(nameSafe("tenant/with space")).toMatch(/^x[0-9a-f]{24}$/);
    expect(nameSafe("tenant/with space")).toBe(nameSafe("tenant/with space"));
    expect(agentContainerName("agent-1", 3)).toBe("corral-agent-agent-1-g3");
    expect(sandboxNames("/srv", "w1", "cm3x9abc")).toMatchObject({
      container: "corral-sandbox-w1-cm3x9abc",
      volume: "corral-sandbox-w1-cm3x9abc-store",
      socketPath: "/srv/cm3x9abc/run/docker.sock",
    });
  });

  it("refuses a state folder that makes the socket path too long for a unix socket", () => {
    expect(() =>
      checkSocketPath(sandboxNames("/var/lib/corral/sandboxes", "w1", "cm3x9abc")),
    ).not.toThrow();
    expect(() => checkSocketPath(sandboxNames(`/${"d".repeat(90)}`, "w1", "cm3x9abc"))).toThrow(
      /longer than 107 bytes/,
    );
  });
});

describe("agent image names", () => {
  it("splits a reference into repository and tag, defaulting to latest", () => {
    expect(splitTag("corral/agent-base:abc")).toEqual({ repo: "corral/agent-base", tag: "abc" });
    expect(splitTag("registry:5000/team/tool")).toEqual({
      repo: "registry:5000/team/tool",
      tag: "latest",
    });
    expect(splitTag(`tool@sha256:${"a".repeat(64)}`)).toBeNull();
  });
});

describe("agent container settings", () => {
  it("keeps the image's command when the spec has none, and converts quotas", () => {
    const options = agentContainerOptions(spec, spec.image, "corral-workspace-agent-1", "10.0.0.1");
    expect(options.Cmd).toBeUndefined();
    expect(options.Env).toEqual(["MODE=fast"]);
    expect(options.HostConfig).toMatchObject({ Memory: 256 * 1024 * 1024, PidsLimit: 100 });
    // In force from the create, over a 1 s period (agent-container.ts): 1.5 CPUs.
    expect(options.HostConfig).toMatchObject({ CpuPeriod: 1_000_000, CpuQuota: 1_500_000 });
    expect(options.HostConfig?.NanoCpus).toBeUndefined();
    expect(options.Labels?.[LABEL.cpuLimit]).toBeUndefined();
  });

  it("holds a next run without its CPU limit, which its label keeps for the start", () => {
    const plain = agentContainerOptions(spec, spec.image, "corral-workspace-agent-1", "10.0.0.1");
    const image = { Config: { Entrypoint: ["/init"], Cmd: ["serve"] } } as Docker.ImageInspectInfo;
    const held = heldContainerOptions(plain, image, []);
    expect(held.HostConfig?.CpuQuota).toBeUndefined();
    expect(held.HostConfig?.CpuPeriod).toBeUndefined();
    expect(held.HostConfig).toMatchObject({ Memory: 256 * 1024 * 1024, ReadonlyRootfs: true });
    expect(held.Labels).toMatchObject({ [LABEL.cpuLimit]: "1500000000", [LABEL.hold]: "true" });
    expect(held.Cmd).toEqual(["/init", "serve"]);
    const inspected = (hostConfig: Docker.HostConfig) =>
      ({ Config: { Labels: held.Labels }, HostConfig: hostConfig }) as Docker.ContainerInspectInfo;
    expect(cpuLimitApplied(inspected({}))).toBe(false);
    expect(cpuLimitApplied(inspected({ CpuPeriod: 1_000_000, CpuQuota: 1_500_000 }))).toBe(true);
    // Released by an earlier version of the driver.
    expect(cpuLimitApplied(inspected({ NanoCpus: 1_500_000_000 }))).toBe(true);
    expect(cpuLimitApplied(inspected({ CpuPeriod: 100_000, CpuQuota: 150_000 }))).toBe(false);
  });

  it("refuses an environment variable name the engine would mangle", () => {
    expect(() =>
      agentContainerOptions({ ...spec, env: { "A=B": "x" } }, spec.image, "ws", "10.0.0.1"),
    ).toThrowError(AgentSpecError);
  });

  it("leads agents to the gateway with their token, trusts the tenant's bundle, and resolves nothing", () => {
    const gateway = {
      username: "agent-1",
      token: "tok",
      placeholders: { ANTHROPIC_API_KEY: "ph" },
    };
    const options = agentContainerOptions(
      { ...spec, env: { MODE: "fast", HTTPS_PROXY: "http://elsewhere:1" }, gateway },
      spec.image,
      "ws",
      "10.213.0.1",
    );
    expect(options.Env).toContain("HTTPS_PROXY=http://agent-1:tok@10.213.0.1:3128");
    expect(options.Env).not.toContain("HTTPS_PROXY=http://elsewhere:1");
    expect(options.Env).toContain("ANTHROPIC_API_KEY=ph");
    expect(options.Env).toContain("SSL_CERT_FILE=/etc/corral/ca-bundle.pem");
    expect(options.HostConfig?.Dns).toEqual(["127.0.0.1"]);
    expect(options.HostConfig?.Mounts).toContainEqual(
      expect.objectContaining({
        Type: "bind",
        Target: "/etc/corral/ca-bundle.pem",
        ReadOnly: true,
      }),
    );
  });
});

describe("engine streams", () => {
  it("splits multiplexed frames and drops a truncated last one", () => {
    const raw = Buffer.concat([frame(1, "out"), frame(2, "err"), frame(1, "cut").subarray(0, 9)]);
    expect(parseFrames(raw).map((f) => [f.stream, f.payload.toString()])).toEqual([
      ["stdout", "out"],
      ["stderr", "err"],
    ]);
  });

  it("turns timestamped log frames into lines", () => {
    const raw = Buffer.concat([
      frame(1, "2026-11-27T10:00:00.000000001Z hello\n2026-11-27T10:00:01.5Z world\n"),
      frame(2, "2026-11-27T10:00:02Z oops\n"),
    ]);
    expect(parseLogLines(raw)).toEqual([
      { at: "2026-11-27T10:00:00.000000001Z", stream: "stdout", text: "hello" },
      { at: "2026-11-27T10:00:01.5Z", stream: "stdout", text: "world" },
      { at: "2026-11-27T10:00:02Z", stream: "stderr", text: "oops" },
    ]);
  });

  it("reads the stats of a stopped container as zeros", () => {
    const stopped = { cpu_stats: {}, precpu_stats: {}, memory_stats: {} } as never;
    expect(toAgentStats(stopped)).toEqual({
      cpuPercent: 0,
      memoryBytes: 0,
      memoryLimitBytes: 0,
      pids: 0,
    });
  });
});
