// The task contract's door (common/task-contract.ts): agents ask their gateway, at the
// reserved host corral.internal, for work and post what they do; the worker relays it to the
// control plane as the host, adding which agent is asking (its token said so). Nothing ever
// connects into a sandbox, and every sandbox driver carries this the same way.
import type http from "node:http";
import type { z } from "zod";
import { UnreachableError } from "../../common/errors.ts";
import {
  eventsRequestSchema,
  nextRequestSchema,
  tasksBasePath,
} from "../../common/task-contract.ts";
import type { GatewayAgent } from "./policy-table.ts";

/** How the gateway reaches the control plane (the worker's client, as its host). */
export interface TaskRelay {
  relay(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<{ status: number; body: unknown; retryAfter?: string }>;
}

const maxBody = 2 * 1024 * 1024;

function send(res: http.ServerResponse, status: number, body: unknown, retryAfter?: string) {
  if (status === 204) {
    res.writeHead(204).end();
    return;
  }
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    // A rate limit's answer says when to come back.
    ...(retryAfter && { "retry-after": retryAfter }),
  });
  res.end(text);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBody) throw new Error("the body is larger than 2 MiB");
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

const invalid = (error: z.ZodError) => {
  const issue = error.issues[0];
  return `invalid request: ${issue?.path.join(".") || "body"}: ${issue?.message}`;
};

export async function relayTaskCall(
  relay: TaskRelay,
  agent: GatewayAgent,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  const aborted = new AbortController();
  res.once("close", () => aborted.abort());
  const path = url.pathname.startsWith(tasksBasePath)
    ? url.pathname.slice(tasksBasePath.length)
    : null;
  const taskPath = path ? /^\/tasks\/([A-Za-z0-9_-]{1,64})\/(events|control)$/.exec(path) : null;
  try {
    if (req.method === "POST" && path === "/next") {
      const body = nextRequestSchema.safeParse(await readJson(req));
      if (!body.success) return send(res, 400, { error: invalid(body.error) });
      const answer = await relay.relay(
        "POST",
        "tasks/next",
        { ...body.data, agentId: agent.agentId, generation: agent.generation },
        (body.data.waitSeconds + 15) * 1000,
        aborted.signal,
      );
      return send(res, answer.status, answer.body, answer.retryAfter);
    }
    if (req.method === "POST" && taskPath?.[2] === "events") {
      const body = eventsRequestSchema.safeParse(await readJson(req));
      if (!body.success) return send(res, 400, { error: invalid(body.error) });
      const answer = await relay.relay(
        "POST",
        "tasks/events",
        { agentId: agent.agentId, taskId: taskPath[1], events: body.data.events },
        15_000,
        aborted.signal,
      );
      return send(res, answer.status, answer.body, answer.retryAfter);
    }
    if (req.method === "GET" && taskPath?.[2] === "control") {
      const wait = Math.min(30, Math.max(0, Number(url.searchParams.get("wait") ?? 20) || 0));
      const query = new URLSearchParams({
        agentId: agent.agentId,
        taskId: taskPath[1] as string,
        wait: String(wait),
      });
      const answer = await relay.relay(
        "GET",
        `tasks/control?${query}`,
        undefined,
        (wait + 15) * 1000,
        aborted.signal,
      );
      return send(res, answer.status, answer.body, answer.retryAfter);
    }
    send(res, 404, {
      error: `no such task endpoint: ${req.method} ${url.pathname} (see the task contract v1)`,
    });
  } catch (error) {
    if (aborted.signal.aborted) return;
    if (error instanceof UnreachableError)
      return send(res, 503, { error: "the control plane is busy or unreachable right now; retry" });
    if (error instanceof SyntaxError) return send(res, 400, { error: "the body is not JSON" });
    send(res, 400, { error: (error as Error).message });
  }
}
