// The worker API's handlers as plain fetch functions (Request → Response). Next's route
// files re-export them; tests and the benchmark mount the same functions on a bare HTTP
// server, so every path a worker takes is the production one.
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { z } from "zod";
import { describeError } from "../../common/errors.ts";
import {
  type DesiredState,
  enrolRequestSchema,
  type HeartbeatResponse,
  heartbeatRequestSchema,
  reportRequestSchema,
  taskEventsRequestSchema,
  taskNextRequestSchema,
  unsupportedWorkerProtocol,
} from "../../common/worker-protocol.ts";
import { hit, RateLimitedError } from "../auth/rate-limits.ts";
import { requestInfo } from "../auth/request-info.ts";
import { BodyTooLarge, readCapped } from "../core/capped-body.ts";
import { webConfig } from "../core/config.ts";
import { channels, listenFor, notificationsLive } from "../core/notify.ts";
import { unstorableTextIn, unstorableTextMessage } from "../core/text.ts";
import { db, livenessDb } from "../db/client.ts";
import { webLogger } from "../logging/logger.ts";
import { appendTaskEvents, claimNextTask, TaskRelayError, taskControl } from "../tasks/dispatch.ts";
import { desiredStateFor } from "./desired.ts";
import { authenticateHost, enrolHost } from "./enrolment.ts";
import { recordHeartbeat } from "./heartbeat.ts";
import { applyReport } from "./report.ts";

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** The most a worker may send in one request (a report of a busy host fits well within). */
export const maxWorkerBodyBytes = 8 * 1024 * 1024;

async function parse<S extends z.ZodType>(req: Request, schema: S, what: string) {
  let raw: unknown = null;
  try {
    raw = JSON.parse(await readCapped(req, maxWorkerBodyBytes));
  } catch (error) {
    if (error instanceof BodyTooLarge)
      return { error: json({ error: `${what} is larger than ${maxWorkerBodyBytes} bytes` }, 413) };
  }
  const unstorable = unstorableTextIn(raw);
  if (unstorable) {
    return { error: json({ error: `invalid ${what}: ${unstorableTextMessage(unstorable)}` }, 400) };
  }
  const body = schema.safeParse(raw);
  if (body.success) return { data: body.data as z.output<S> };
  const issue = body.error.issues[0];
  return {
    error: json(
      { error: `invalid ${what}: ${issue?.path.join(".") || "body"}: ${issue?.message}` },
      400,
    ),
  };
}

const refused = () => json({ error: "host credential refused: enrol this host again" }, 401);

/** 426 for a worker whose protocol version this control plane does not serve (N and N−1). */
function protocolRefusal(req: Request): Response | null {
  const why = unsupportedWorkerProtocol(req.headers);
  return why ? json({ error: why }, 426) : null;
}

// Once authenticated, a host still gets a bounded rate: its control loops (heartbeat, desired,
// report) share one budget, and each of its agents has its own for the task contract. Kept in
// memory per web process: a bound against a runaway or hostile host, not an accounting.
const hostLimiter = new RateLimiterMemory({ points: 100, duration: 1 });
// An agent streaming its transcript posts events back to back (10–20 ms apart here).
const agentLimiter = new RateLimiterMemory({ points: 200, duration: 1 });

async function overRate(limiter: RateLimiterMemory, key: string): Promise<Response | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (error) {
    const wait = error instanceof RateLimiterRes ? Math.ceil(error.msBeforeNext / 1000) : 1;
    return new Response(JSON.stringify({ error: "too many requests from this host; slow down" }), {
      status: 429,
      headers: { "content-type": "application/json", "retry-after": String(wait) },
    });
  }
}

/** The authenticated host within its control-loop budget, or the answer refusing it. */
async function hostFor(req: Request) {
  const unsupported = protocolRefusal(req);
  if (unsupported) return { refusal: unsupported };
  const host = await authenticateHost(db(), req.headers.get("authorization"));
  if (!host) return { refusal: refused() };
  const limited = await overRate(hostLimiter, host.id);
  return limited ? { refusal: limited } : { host };
}

/** Within the budget of one agent of the host (the task contract). */
const agentOverRate = (hostId: string, agentId: string) =>
  overRate(agentLimiter, `${hostId}:${agentId}`);

/** POST /api/worker/v1/enrol — a one-time token for this host's own credential. */
export async function enrol(req: Request): Promise<Response> {
  const unsupported = protocolRefusal(req);
  if (unsupported) return unsupported;
  const body = await parse(req, enrolRequestSchema, "enrolment");
  if (body.error) return body.error;
  const request = requestInfo(req.headers);
  // Unauthenticated by nature: guessing tokens (and flooding the audit log) is rate limited.
  try {
    await hit("enrol:ip", request.ipAddress, "enrolment attempts");
  } catch (error) {
    if (error instanceof RateLimitedError) return json({ error: error.message }, 429);
    throw error;
  }
  const result = await enrolHost(db(), body.data, request, {
    deadlineSeconds: webConfig().CORRAL_WORKER_DEADLINE_SECONDS,
  });
  if ("refused" in result) return json({ error: result.refused }, 403);
  return json(result);
}

/** POST /api/worker/v1/heartbeat */
export async function heartbeat(req: Request): Promise<Response> {
  const { host, refusal } = await hostFor(req);
  if (!host) return refusal;
  const body = await parse(req, heartbeatRequestSchema, "heartbeat");
  if (body.error) return body.error;
  await recordHeartbeat(db(), host.id, body.data, host, livenessDb());
  const response: HeartbeatResponse = {
    hostId: host.id,
    heartbeatSeconds: webConfig().CORRAL_WORKER_HEARTBEAT_SECONDS,
  };
  return json(response);
}

/**
 * GET /api/worker/v1/desired?after=<version> — what this host should run. Answers at once
 * when the host's version is past `after`; otherwise waits for a change notification (or,
 * while notifications are down, checks its one row every few seconds) until `wait` seconds
 * pass, then 304.
 */
export async function desired(req: Request): Promise<Response> {
  const { host, refusal } = await hostFor(req);
  if (!host) return refusal;
  const url = new URL(req.url);
  const after = Number(url.searchParams.get("after") ?? -1);
  const waitMs = Math.min(30, Math.max(0, Number(url.searchParams.get("wait") ?? 20))) * 1000;
  const deadline = Date.now() + waitMs;
  let version = host.desiredVersion;
  // The row is read even without a wait: the authenticated copy's version may trail it.
  if (version <= after) {
    // Listening first, then reading: a change committed in between still wakes this request.
    const changes = await listenFor(channels.desired, host.id);
    try {
      for (;;) {
        const row = await db().workerHost.findUnique({
          where: { id: host.id },
          select: { desiredVersion: true, revokedAt: true },
        });
        if (!row || row.revokedAt) return refused();
        version = row.desiredVersion;
        if (version > after || Date.now() >= deadline || req.signal.aborted) break;
        // A notification wakes it; the row is read again every 5 s only while they are down
        // (at a thousand hosts, that backstop alone was 200 reads a second).
        const backstop = notificationsLive() ? waitMs : 5000;
        await changes.wait(Math.min(backstop, deadline - Date.now()), req.signal);
      }
    } finally {
      changes.close();
    }
  }
  if (version <= after) return new Response(null, { status: 304 });
  const state: DesiredState = await desiredStateFor(db(), host.id);
  return json(state);
}

/** POST /api/worker/v1/report */
export async function report(req: Request): Promise<Response> {
  const { host, refusal } = await hostFor(req);
  if (!host) return refusal;
  const body = await parse(req, reportRequestSchema, "report");
  if (body.error) return body.error;
  try {
    return json(await applyReport(db(), host, body.data));
  } catch (error) {
    // The reason is for the operator's log; a worker (or whoever holds its credential) is
    // not shown the database's own words.
    webLogger().error(`worker report from host ${host.id} not applied: ${describeError(error)}`);
    return json({ error: "report not applied; the control plane logged why, send it again" }, 500);
  }
}

/** Task relay errors in the contract's terms: the worker passes the status on to the agent. */
async function relayed(work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TaskRelayError) return json({ error: error.message }, error.status);
    throw error;
  }
}

/** POST /api/worker/v1/tasks/next — an agent of this host asks for its next task (long-poll). */
export async function taskNext(req: Request): Promise<Response> {
  const unsupported = protocolRefusal(req);
  if (unsupported) return unsupported;
  const host = await authenticateHost(db(), req.headers.get("authorization"));
  if (!host) return refused();
  const body = await parse(req, taskNextRequestSchema, "task request");
  if (body.error) return body.error;
  const limited = await agentOverRate(host.id, body.data.agentId);
  if (limited) return limited;
  return relayed(async () => {
    const task = await claimNextTask(db(), host, body.data, req.signal);
    return task ? json({ task }) : new Response(null, { status: 204 });
  });
}

/** POST /api/worker/v1/tasks/events — what an agent did; answers whether to cancel. */
export async function taskEventsHandler(req: Request): Promise<Response> {
  const unsupported = protocolRefusal(req);
  if (unsupported) return unsupported;
  const host = await authenticateHost(db(), req.headers.get("authorization"));
  if (!host) return refused();
  const body = await parse(req, taskEventsRequestSchema, "task events");
  if (body.error) return body.error;
  const limited = await agentOverRate(host.id, body.data.agentId);
  if (limited) return limited;
  return relayed(async () => json(await appendTaskEvents(db(), host, body.data)));
}

/** GET /api/worker/v1/tasks/control?agentId=&taskId=&wait= — answers when a cancel comes. */
export async function taskControlHandler(req: Request): Promise<Response> {
  const unsupported = protocolRefusal(req);
  if (unsupported) return unsupported;
  const host = await authenticateHost(db(), req.headers.get("authorization"));
  if (!host) return refused();
  const url = new URL(req.url);
  const agentId = url.searchParams.get("agentId") ?? "";
  const taskId = url.searchParams.get("taskId") ?? "";
  if (!agentId || !taskId || agentId.length > 64 || taskId.length > 64)
    return json({ error: "invalid task control: agentId and taskId are required" }, 400);
  const unstorable = unstorableTextIn({ agentId, taskId });
  if (unstorable)
    return json({ error: `invalid task control: ${unstorableTextMessage(unstorable)}` }, 400);
  const limited = await agentOverRate(host.id, agentId);
  if (limited) return limited;
  const waitSeconds = Math.min(30, Math.max(0, Number(url.searchParams.get("wait") ?? 20) || 0));
  return relayed(async () =>
    json(await taskControl(db(), host, { agentId, taskId, waitSeconds }, req.signal)),
  );
}
