// The worker's side of the worker API (server/fleet/worker-protocol.ts).
import { describeError, UnreachableError } from "../../server/core/errors.ts";
import {
  type HeartbeatRequest,
  type HeartbeatResponse,
  heartbeatResponseSchema,
  workerApiBase,
} from "../../server/fleet/worker-protocol.ts";

/** The control plane refused this worker's credentials: retrying will not help. */
export class WorkerRejectedError extends Error {
  override name = "WorkerRejectedError";
}

export class ControlPlaneClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async heartbeat(beat: HeartbeatRequest): Promise<HeartbeatResponse> {
    const url = new URL(`${workerApiBase}/heartbeat`, this.baseUrl);
    let res: Response;
    try {
      res = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" },
        body: JSON.stringify(beat),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause ? error.cause : error;
      throw new UnreachableError(
        `control plane unreachable at ${this.baseUrl} (${describeError(cause)})`,
      );
    }
    const body = await res.json().catch(() => ({}));
    if (res.status === 401 || res.status === 403) {
      throw new WorkerRejectedError(`control plane at ${this.baseUrl} refused the worker token`);
    }
    if (!res.ok) {
      throw new UnreachableError(
        `control plane at ${this.baseUrl} answered ${res.status}: ${body?.error ?? res.statusText}`,
      );
    }
    return heartbeatResponseSchema.parse(body);
  }
}
