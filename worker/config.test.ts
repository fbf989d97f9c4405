import { describe, expect, it } from "vitest";
import { ConfigError } from "../common/errors.ts";
import { workerConfig } from "./config.ts";

describe("worker configuration", () => {
  it("fills defaults and parses labels", () => {
    const config = workerConfig({ CORRAL_WORKER_LABELS: "zone=a, microvm=false" });
    expect(config.CORRAL_CONTROL_PLANE_URL).toBe("http://localhost:3000");
    expect(config.DOCKER_HOST).toBe("unix:///var/run/docker.sock");
    expect(config.CORRAL_SANDBOX_RUNTIME).toBe("runc");
    expect(config.CORRAL_WORKER_LABELS).toEqual({ zone: "a", microvm: "false" });
  });

  it("refuses a label that is not key=value, in one line", () => {
    expect(() => workerConfig({ CORRAL_WORKER_LABELS: "zone" })).toThrowError(ConfigError);
    expect(() => workerConfig({ CORRAL_WORKER_LABELS: "zone" })).toThrowError(
      /CORRAL_WORKER_LABELS: label "zone" is not key=value/,
    );
  });

  it("isolates tenants in engine containers unless told otherwise, and knows only its drivers", () => {
    expect(workerConfig({}).CORRAL_SANDBOX_DRIVER).toBe("engine-container");
    expect(workerConfig({ CORRAL_SANDBOX_DRIVER: "microvm" }).CORRAL_SANDBOX_DRIVER).toBe(
      "microvm",
    );
    expect(() => workerConfig({ CORRAL_SANDBOX_DRIVER: "firecracker" })).toThrowError(
      /CORRAL_SANDBOX_DRIVER/,
    );
  });

  it("offers both walls when told, and needs an explicit yes for privileged runc", () => {
    expect(workerConfig({ CORRAL_SANDBOX_DRIVER: "both" }).CORRAL_SANDBOX_DRIVER).toBe("both");
    expect(workerConfig({}).CORRAL_ALLOW_PRIVILEGED_RUNC).toBe(false);
    expect(
      workerConfig({ CORRAL_ALLOW_PRIVILEGED_RUNC: "true" }).CORRAL_ALLOW_PRIVILEGED_RUNC,
    ).toBe(true);
    expect(() => workerConfig({ CORRAL_ALLOW_PRIVILEGED_RUNC: "yes" })).toThrowError(
      /CORRAL_ALLOW_PRIVILEGED_RUNC must be true or false/,
    );
  });

  it("refuses a control plane address that is not a URL", () => {
    expect(() => workerConfig({ CORRAL_CONTROL_PLANE_URL: "nowhere" })).toThrowError(
      /CORRAL_CONTROL_PLANE_URL must be an http\(s\) URL/,
    );
  });
});
