import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { nodeVersionProblem, requiredNodeRange, satisfies } from "./check-node.mjs";

const run = promisify(execFile);

describe("the Node.js check", () => {
  it("reads the range npm checks: package.json's engines", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8"));
    expect(requiredNodeRange()).toBe(pkg.engines.node);
  });

  it("accepts what the range names and refuses the rest", () => {
    const range = "^20.19 || ^22.12 || >=24";
    for (const ok of ["20.19.0", "20.20.2", "22.12.0", "22.20.1", "24.0.0", "26.1.0"]) {
      expect(satisfies(ok, range), ok).toBe(true);
    }
    for (const no of ["18.20.4", "20.18.3", "21.7.3", "22.11.0", "23.9.0"]) {
      expect(satisfies(no, range), no).toBe(false);
    }
    expect(satisfies("20.5.0", ">=20 <21")).toBe(true);
    expect(satisfies("21.0.0", ">=20 <21")).toBe(false);
  });

  it("says in one line what to do when Node.js is too old", () => {
    expect(nodeVersionProblem("18.20.4", ">=20.19")).toBe(
      'Node.js 18.20.4 is not supported: Corral and its dependencies need Node.js >=20.19 (package.json "engines"); install a matching Node.js and retry',
    );
    expect(nodeVersionProblem("20.19.0", ">=20.19")).toBeNull();
  });

  it("lets this Node.js through, as quickstart runs it", async () => {
    expect(nodeVersionProblem()).toBeNull();
    const { stdout, stderr } = await run(process.execPath, ["infra/host/check-node.mjs"]);
    expect(stdout + stderr).toBe("");
  });
});
