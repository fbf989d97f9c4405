// Purpose-bound keys derived from the deployment's one master secret (CORRAL_SECRET_KEY),
// so rotating or leaking one use never exposes another. Read on its own (not with the web
// config) so tools like `npm run audit:verify` need only this and DATABASE_URL.
import { hkdfSync } from "node:crypto";
import { z } from "zod";
import { parseEnv } from "../../common/env.ts";

export type KeyPurpose = "audit-checkpoint" | "secret-box";

const masterKeySchema = z.object({
  CORRAL_SECRET_KEY: z
    .string({ error: "CORRAL_SECRET_KEY is not set (npm run up generates one)" })
    .min(32, "CORRAL_SECRET_KEY must be at least 32 characters"),
});

export function deriveKey(
  purpose: KeyPurpose,
  master = parseEnv(masterKeySchema, process.env).CORRAL_SECRET_KEY,
): Buffer {
  return Buffer.from(hkdfSync("sha256", master, "corral", `corral/${purpose}/v1`, 32));
}
