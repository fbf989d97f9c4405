// The worker's side of the worker API (common/worker-protocol.ts).
import type { z } from "zod";
import { describeError, UnreachableError } from "../../common/errors.ts";
import {
  type DesiredState,
  desiredStateSchema,
  type EnrolRequest,
  enrolResponseSchema,
  type HeartbeatRequest,
  heartbeatResponseSchema,
  type ReportRequest,
  workerApiBase,
  workerProtocolHeader,
  workerProtocolVersion,
} from "../../common/worker-protocol.ts";

/**
 * The control plane refused this host's credential or token, or does not serve this worker's
 * protocol version: retrying will not help.
 */
export class WorkerRejectedError extends Error {
  override name = "WorkerRejectedError";
}

export class ControlPlaneClient {
  credential: string | null = null;

  constructor(private readonly baseUrl: string) {}

  private async call<S extends z.ZodType>(
    method: "GET" | "POST",
    path: string,
    schema: S | null,
    body?: unknown,
    timeoutMs = 10_000,
  ): Promise<z.output<S> | null> {
    let res: Response;
    try {
      res = await fetch(new URL(`${workerApiBase}/${path}`, this.baseUrl), {
        method,
        headers: {
          [workerProtocolHeader]: String(workerProtocolVersion),
          ...(this.credential && { authorization: `Bearer ${this.credential}` }),
          ...(body !== undefined && { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause ? error.cause : error;
      throw new UnreachableError(
        `control plane unreachable at ${this.baseUrl} (${describeError(cause)})`,
      );
    }
    if (res.status === 304) return null;
    const json = await res.json().catch(() => ({}));
    if (res.status === 401 || res.status === 403 || res.status === 426)
      throw new WorkerRejectedError(
        `control plane at ${this.baseUrl} refused this host: ${json?.error ?? res.status}`,
      );
    if (!res.ok)
      throw new UnreachableError(
        `control plane at ${this.baseUrl} answered ${res.status}: ${json?.error ?? res.statusText}`,
      );
    return schema ? schema.parse(json) : json;
  }

  async enrol(req: EnrolRequest) {
    const reply = await this.call("POST", "enrol", enrolResponseSchema, req);
    if (!reply) throw new UnreachableError("enrolment got no answer");
    return reply;
  }

  async heartbeat(beat: HeartbeatRequest) {
    const reply = await this.call("POST", "heartbeat", heartbeatResponseSchema, beat);
    if (!reply) throw new UnreachableError("heartbeat got no answer");
    return reply;
  }

  /** The desired state once its version passes `after`, or null after `waitSeconds`. */
  desired(after: number, waitSeconds: number): Promise<DesiredState | null> {
    return this.call(
      "GET",
      `desired?after=${after}&wait=${waitSeconds}`,
      desiredStateSchema,
      undefined,
      (waitSeconds + 10) * 1000,
    );
  }

  async report(report: ReportRequest): Promise<void> {
    await this.call("POST", "report", null, report);
  }

  /**
   * A task-contract call relayed for an agent: the answer's status and body are handed back
   * as they are (the agent understands 204, 404, 409), except that an unreachable control
   * plane is an UnreachableError.
   */
  async relay(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<{ status: number; body: unknown; retryAfter?: string }> {
    let res: Response;
    try {
      res = await fetch(new URL(`${workerApiBase}/${path}`, this.baseUrl), {
        method,
        headers: {
          [workerProtocolHeader]: String(workerProtocolVersion),
          ...(this.credential && { authorization: `Bearer ${this.credential}` }),
          ...(body !== undefined && { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal
          ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
          : AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause ? error.cause : error;
      throw new UnreachableError(
        `control plane unreachable at ${this.baseUrl} (${describeError(cause)})`,
      );
    }
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { error: text.slice(0, 200) };
    }
    if (res.status >= 500) throw new UnreachableError(`control plane answered ${res.status}`);
    const retryAfter = res.headers.get("retry-after");
    return { status: res.status, body: parsed, ...(retryAfter && { retryAfter }) };
  }
}
