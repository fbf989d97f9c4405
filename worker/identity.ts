// Who this host is to the control plane: a credential from enrolment, kept in the state
// folder (mode 600) so restarts do not need a new token. A credential the control plane no
// longer accepts (revoked, or a reset database) is replaced by enrolling again when a
// token is configured.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../common/errors.ts";
import type { HostReport } from "../common/worker-protocol.ts";
import type { WorkerConfig } from "./config.ts";
import { type ControlPlaneClient, WorkerRejectedError } from "./control-plane/client.ts";

interface Stored {
  hostId: string;
  credential: string;
  controlPlane: string;
}

export async function establishIdentity(
  config: WorkerConfig,
  client: ControlPlaneClient,
  report: () => Promise<HostReport>,
  log: (line: string) => void,
): Promise<{ hostId: string }> {
  const file = path.join(config.CORRAL_WORKER_STATE_DIR, "credential.json");
  const stored: Stored | null = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null;
  if (stored && stored.controlPlane === config.CORRAL_CONTROL_PLANE_URL) {
    client.credential = stored.credential;
    try {
      const reply = await client.heartbeat(await report());
      return { hostId: reply.hostId };
    } catch (error) {
      if (!(error instanceof WorkerRejectedError) || !config.CORRAL_ENROLMENT_TOKEN) throw error;
      log("stored credential refused; enrolling again with CORRAL_ENROLMENT_TOKEN");
    }
  }
  if (!config.CORRAL_ENROLMENT_TOKEN)
    throw new ConfigError(
      "this host has not enrolled: set CORRAL_ENROLMENT_TOKEN to a token from the fleet page",
    );
  client.credential = null;
  await mkdir(config.CORRAL_WORKER_STATE_DIR, { recursive: true, mode: 0o700 });
  // The credential is chosen here and kept until enrolment answers, so an attempt whose answer
  // was lost (a timeout, a restart) can ask again with the same token and become the same host.
  const pendingFile = path.join(config.CORRAL_WORKER_STATE_DIR, "enrolling.json");
  const pending: string = existsSync(pendingFile)
    ? JSON.parse(readFileSync(pendingFile, "utf8")).credential
    : `crlh_${randomBytes(32).toString("base64url")}`;
  await writeFile(pendingFile, `${JSON.stringify({ credential: pending })}\n`, { mode: 0o600 });
  const { hostId, credential } = await client.enrol({
    ...(await report()),
    token: config.CORRAL_ENROLMENT_TOKEN,
    credential: pending,
  });
  const next: Stored = { hostId, credential, controlPlane: config.CORRAL_CONTROL_PLANE_URL };
  await writeFile(file, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  await rm(pendingFile, { force: true });
  client.credential = credential;
  log(`enrolled as host ${hostId}`);
  return { hostId };
}
