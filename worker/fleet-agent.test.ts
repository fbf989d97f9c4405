// Which tenants a new desired state touches: the next reconcile pass walks those alone.
import { describe, expect, it } from "vitest";
import type { DesiredSandbox, DesiredState } from "../common/worker-protocol.ts";
import { changedTenants } from "./fleet-agent.ts";

const sandbox = (tenantId: string, cpus = 1): DesiredSandbox => ({
  tenantId,
  tenantSlug: tenantId,
  isolation: null,
  cpus,
  memoryMb: 1024,
  egressCeiling: null,
  agents: [],
});
const state = (...sandboxes: DesiredSandbox[]): DesiredState => ({ version: 1, sandboxes });

describe("changed tenants", () => {
  it("are every tenant at the first desired state", () => {
    expect([...changedTenants(null, state(sandbox("a"), sandbox("b")))]).toEqual(["a", "b"]);
  });

  it("are those added, changed or gone, and no others", () => {
    const before = state(sandbox("same"), sandbox("resized"), sandbox("gone"));
    const after = state(sandbox("same"), sandbox("resized", 2), sandbox("new"));
    expect([...changedTenants(before, after)].sort()).toEqual(["gone", "new", "resized"]);
  });

  it("are none when only the version moved", () => {
    expect(changedTenants(state(sandbox("a")), { ...state(sandbox("a")), version: 9 }).size).toBe(
      0,
    );
  });
});
