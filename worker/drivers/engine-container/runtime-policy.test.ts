import { describe, expect, it } from "vitest";
import { privilegedRuntimeRefusal } from "./runtime-policy.ts";

const policy = { production: true, allowPrivilegedRunc: false };

describe("privileged sandbox runtime policy", () => {
  it.each(["runc", "runc-privfix", "crun"])(
    "refuses privileged sandboxes on %s in production, naming the way out",
    (runtime) => {
      expect(privilegedRuntimeRefusal({ ...policy, runtime })).toMatch(
        /privileged containers on plain .*CORRAL_SANDBOX_RUNTIME=sysbox-runc.*CORRAL_ALLOW_PRIVILEGED_RUNC=true$/,
      );
    },
  );

  it("allows sysbox-runc and Kata in production", () => {
    expect(privilegedRuntimeRefusal({ ...policy, runtime: "sysbox-runc" })).toBeNull();
    expect(privilegedRuntimeRefusal({ ...policy, runtime: "io.containerd.kata.v2" })).toBeNull();
  });

  it("allows plain runc when the operator says so, or outside production", () => {
    expect(
      privilegedRuntimeRefusal({ ...policy, runtime: "runc", allowPrivilegedRunc: true }),
    ).toBeNull();
    expect(privilegedRuntimeRefusal({ ...policy, runtime: "runc", production: false })).toBeNull();
  });
});
