import { describe, expect, it } from "vitest";
import { ConfigError } from "../server/core/errors.ts";
import { workerConfig } from "./config.ts";

const token = "w".repeat(40);

describe("worker configuration", () => {
  it("fills defaults and parses labels", () => {
    const config = workerConfig({
      CORRAL_WORKER_TOKEN: token,
      CORRAL_WORKER_LABELS: "zone=a, microvm=false",
    });
    expect(config.CORRAL_CONTROL_PLANE_URL).toBe("http://localhost:3000");
    expect(config.DOCKER_HOST).toBe("unix:///var/run/docker.sock");
    expect(config.CORRAL_WORKER_LABELS).toEqual({ zone: "a", microvm: "false" });
  });

  it("names the missing token in one line", () => {
    expect(() => workerConfig({})).toThrowError(ConfigError);
    expect(() => workerConfig({})).toThrowError(/^CORRAL_WORKER_TOKEN is not set/);
  });

  it("refuses a label that is not key=value", () => {
    expect(() =>
      workerConfig({ CORRAL_WORKER_TOKEN: token, CORRAL_WORKER_LABELS: "zone" }),
    ).toThrowError(/CORRAL_WORKER_LABELS: label "zone" is not key=value/);
  });

  it("refuses a control plane address that is not a URL", () => {
    expect(() =>
      workerConfig({ CORRAL_WORKER_TOKEN: token, CORRAL_CONTROL_PLANE_URL: "nowhere" }),
    ).toThrowError(/CORRAL_CONTROL_PLANE_URL must be an http\(s\) URL/);
  });
});
