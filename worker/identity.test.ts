// A worker whose enrolment answer is lost (a timeout, a restart) asks again and becomes the
// host it already became, instead of finding its one-time token spent.
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { UnreachableError } from "../common/errors.ts";
import { createEnrolmentToken } from "../server/fleet/enrolment.ts";
import { connectTestDb } from "../test/db.ts";
import { hostReport, operatorActor } from "../test/fleet.ts";
import { startWorkerApiServer } from "../test/worker-api-server.ts";
import { workerConfig } from "./config.ts";
import { ControlPlaneClient } from "./control-plane/client.ts";
import { establishIdentity } from "./identity.ts";

const db = connectTestDb();

describe("enrolment", () => {
  it("survives a lost answer: the retry gets the same host, and the token is not spent twice", async () => {
    const api = await startWorkerApiServer();
    try {
      const name = `lost-${Date.now()}`;
      const { token } = await createEnrolmentToken(
        db,
        operatorActor,
        { description: "lost answer", ttlHours: 1 },
        {},
      );
      const stateDir = mkdtempSync(path.join(tmpdir(), "corral-identity-"));
      const config = workerConfig({
        CORRAL_CONTROL_PLANE_URL: api.url,
        CORRAL_ENROLMENT_TOKEN: token,
        CORRAL_WORKER_NAME: name,
        CORRAL_WORKER_STATE_DIR: stateDir,
      });
      const client = new ControlPlaneClient(api.url);
      // The control plane enrols the host, but the answer never arrives.
      const enrol = client.enrol.bind(client);
      let lose = true;
      client.enrol = async (request) => {
        const answer = await enrol(request);
        if (!lose) return answer;
        lose = false;
        throw new UnreachableError("the answer was lost");
      };
      const report = async () => hostReport(name);
      await expect(establishIdentity(config, client, report, () => {})).rejects.toThrow(
        UnreachableError,
      );
      const { hostId } = await establishIdentity(config, client, report, () => {});
      expect((await db.workerHost.findUniqueOrThrow({ where: { name } })).id).toBe(hostId);
      expect(existsSync(path.join(stateDir, "enrolling.json"))).toBe(false);
      // And the credential it kept works.
      expect((await client.heartbeat(hostReport(name))).hostId).toBe(hostId);
    } finally {
      await api.stop();
    }
  });
});
