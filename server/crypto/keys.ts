// Purpose-bound keys derived from the deployment's one master secret (CORRAL_SECRET_KEY),
// so rotating or leaking one use never exposes another.
import { hkdfSync } from "node:crypto";
import { webConfig } from "../core/config.ts";

export type KeyPurpose = "audit-checkpoint" | "secret-box";

export function deriveKey(purpose: KeyPurpose, master = webConfig().CORRAL_SECRET_KEY): Buffer {
  return Buffer.from(hkdfSync("sha256", master, "corral", `corral/${purpose}/v1`, 32));
}
