// Secrets for a local deployment, generated on first start and kept in the data folder
// (mode 600) so sessions and the demo password survive restarts. Environment wins.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

export interface LocalSecrets {
  authSecret: string;
  /** Master key: signs audit checkpoints and seals stored secrets. Losing it loses them. */
  secretKey: string;
  demoPassword: string;
  embeddedPgPassword: string;
}

const fresh = (): LocalSecrets => ({
  authSecret: randomBytes(32).toString("base64url"),
  secretKey: randomBytes(32).toString("base64url"),
  demoPassword: `demo-${randomBytes(6).toString("base64url")}`,
  embeddedPgPassword: randomBytes(18).toString("base64url"),
});

export async function loadLocalSecrets(dataDir: string): Promise<LocalSecrets> {
  const file = path.join(dataDir, "secrets.json");
  const stored: Partial<LocalSecrets> = existsSync(file)
    ? JSON.parse(readFileSync(file, "utf8"))
    : {};
  const secrets = { ...fresh(), ...stored };
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return {
    ...secrets,
    authSecret: process.env.AUTH_SECRET ?? secrets.authSecret,
    secretKey: process.env.CORRAL_SECRET_KEY ?? secrets.secretKey,
    demoPassword: process.env.CORRAL_DEMO_PASSWORD ?? secrets.demoPassword,
  };
}
