import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runEntryPoint } from "../test/run-process.ts";

const stateDir = () => mkdtempSync(path.join(tmpdir(), "corral-worker-test-"));

describe("worker process", () => {
  it("exits with one clear line when no Docker engine answers", async () => {
    const result = await runEntryPoint("worker/main.ts", {
      DOCKER_HOST: "unix:///tmp/corral-no-engine.sock",
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(
        /^corral-worker: no Docker engine answers at unix:\/\/\/tmp\/corral-no-engine\.sock .*start dockerd or set DOCKER_HOST$/,
      ),
    ]);
  });

  it("exits with one clear line when the sandbox runtime is not on the engine", async () => {
    const result = await runEntryPoint("worker/main.ts", { CORRAL_SANDBOX_RUNTIME: "sysbox-nope" });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^corral-worker: the engine has no "sysbox-nope" runtime for sandboxes: set CORRAL_SANDBOX_RUNTIME to one of [^\n]*$/,
    );
  });

  it("refuses privileged sandboxes on plain runc in production, in one line naming the ways out", async () => {
    const result = await runEntryPoint("worker/main.ts", {
      NODE_ENV: "production",
      CORRAL_SANDBOX_RUNTIME: "runc",
      CORRAL_WORKER_STATE_DIR: stateDir(),
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^corral-worker: refusing to start: sandboxes would be privileged containers on plain runc [^\n]*CORRAL_ALLOW_PRIVILEGED_RUNC=true$/,
    );
  });

  it("exits with one clear line when it has not enrolled and has no token", async () => {
    const result = await runEntryPoint("worker/main.ts", {
      CORRAL_WORKER_STATE_DIR: stateDir(),
      CORRAL_CONTROL_PLANE_URL: "http://127.0.0.1:9",
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^corral-worker: this host has not enrolled: set CORRAL_ENROLMENT_TOKEN[^\n]*$/,
    );
  });

  it("keeps retrying, saying so once, while the control plane is unreachable, and stops cleanly", async () => {
    const result = await runEntryPoint(
      "worker/main.ts",
      {
        CORRAL_WORKER_STATE_DIR: stateDir(),
        CORRAL_ENROLMENT_TOKEN: "crle_test",
        CORRAL_CONTROL_PLANE_URL: "http://127.0.0.1:9",
      },
      { stopWhen: /retrying/ },
    );
    // Not a terminal: JSON lines (common/logger.ts).
    const first = JSON.parse(result.stdout.split("\n")[0] ?? "");
    expect(first).toMatchObject({ level: "info", name: "corral-worker" });
    expect(first.msg).toMatch(/^engine \S+ at unix:\/\/\/var\/run\/docker\.sock/);
    expect(result.stdout).toMatch(
      /enrol: control plane unreachable at http:\/\/127\.0\.0\.1:9 .*; retrying/,
    );
    expect(result.stdout.match(/unreachable/g)).toHaveLength(1);
    expect(result.stdout).toContain("SIGTERM: stopping");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });
});
