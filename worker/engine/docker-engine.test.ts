import { describe, expect, it } from "vitest";
import { ConfigError, UnreachableError } from "../../common/errors.ts";
import { connectEngine, describeEngine } from "./docker-engine.ts";

const dockerHost = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";

describe("Docker engine through dockerode", () => {
  it("describes the real engine", async () => {
    const info = await describeEngine(connectEngine(dockerHost), dockerHost);
    expect(info.serverVersion).toMatch(/^\d+\.\d+/);
    expect(info.cpus).toBeGreaterThan(0);
    expect(info.memoryBytes).toBeGreaterThan(0);
    expect(info.runtimes).toContain("runc");
  });

  it("lists containers on the engine", async () => {
    const containers = await connectEngine(dockerHost).listContainers({ all: true });
    expect(Array.isArray(containers)).toBe(true);
  });

  it("says in one line that no engine answers at a wrong address", async () => {
    const wrong = "unix:///tmp/corral-no-engine.sock";
    const error = await describeEngine(connectEngine(wrong), wrong).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect((error as Error).message).toMatch(
      /^no Docker engine answers at unix:\/\/\/tmp\/corral-no-engine\.sock/,
    );
    expect((error as Error).message).not.toContain("\n");
  });

  it("refuses an address it cannot use", () => {
    expect(() => connectEngine("ftp://engine")).toThrowError(ConfigError);
  });
});
