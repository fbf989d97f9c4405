// The demo model: a loopback HTTP server speaking the Anthropic Messages API with scripted,
// deterministic replies (see demo-model-script.ts), for development and tests where no model
// provider is reachable. It is the one fake in the system, and says so in every reply.
//   POST /v1/messages               non-streaming, or server-sent events with "stream": true
//   POST /v1/messages/count_tokens  an estimate (about four characters a token)
// Requests without `x-api-key` or `authorization` get Anthropic's 401 error shape. Every
// request is kept in `seen` (headers and parsed body) for tests to inspect.
//
//   node --import tsx infra/dev/demo-model.ts    # listens on CORRAL_DEMO_MODEL_PORT (4590)
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { type DemoBlock, type DemoRequest, demoModelId, demoReply } from "./demo-model-script.ts";

export interface SeenRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
}

export interface DemoModelOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Pause between streamed deltas, so streaming is observable; default 20 ms. */
  deltaDelayMs?: number;
}

export interface DemoModel {
  /** Base URL for clients, e.g. `http://127.0.0.1:4590` (ANTHROPIC_BASE_URL). */
  url: string;
  port: number;
  seen: SeenRequest[];
  close: () => Promise<void>;
}

export async function start(options: DemoModelOptions = {}): Promise<DemoModel> {
  const seen: SeenRequest[] = [];
  const delayMs = options.deltaDelayMs ?? 20;
  const server = http.createServer((req, res) => {
    handle(req, res, seen, delayMs).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, "api_error", String(error));
      else res.destroy();
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  seen: SeenRequest[],
  delayMs: number,
) {
  const raw = await readBody(req);
  let body: unknown = raw;
  try {
    body = raw ? JSON.parse(raw) : undefined;
  } catch {
    // Kept as text; answered below.
  }
  const url = new URL(req.url ?? "/", "http://demo-model");
  seen.push({ method: req.method ?? "", path: url.pathname, headers: req.headers, body });

  const route = `${req.method} ${url.pathname}`;
  if (route !== "POST /v1/messages" && route !== "POST /v1/messages/count_tokens") {
    return sendError(res, 404, "not_found_error", `Not found: ${req.method} ${url.pathname}`);
  }
  if (!req.headers["x-api-key"] && !req.headers.authorization) {
    return sendError(res, 401, "authentication_error", "x-api-key header is required");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return sendError(res, 400, "invalid_request_error", "The request body is not valid JSON.");
  }
  const request = body as DemoRequest & { max_tokens?: unknown; stream?: unknown };
  if (!Array.isArray(request.messages) || request.messages.length === 0) {
    return sendError(
      res,
      400,
      "invalid_request_error",
      "messages: at least one message is required",
    );
  }
  const inputTokens = estimateTokens(JSON.stringify([request.messages, request.tools ?? []]));
  if (url.pathname.endsWith("/count_tokens")) {
    return sendJson(res, 200, { input_tokens: inputTokens });
  }
  if (typeof request.max_tokens !== "number") {
    return sendError(res, 400, "invalid_request_error", "max_tokens: Field required");
  }

  const reply = demoReply(request);
  const model = typeof request.model === "string" && request.model ? request.model : demoModelId;
  const content = reply.blocks.map(withId);
  const outputTokens = estimateTokens(JSON.stringify(content));
  const message = {
    id: newId("msg_demo_"),
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: reply.stopReason,
    stop_sequence: null,
    usage: usage(inputTokens, outputTokens),
  };
  if (request.stream !== true) return sendJson(res, 200, message);
  await streamMessage(res, message, delayMs);
}

type Block = ReturnType<typeof withId>;

/** Writes the message as the Messages API's event stream, in small pieces. */
async function streamMessage(
  res: http.ServerResponse,
  message: { content: Block[]; stop_reason: string; usage: ReturnType<typeof usage> },
  delayMs: number,
) {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "request-id": newId("req_demo_"),
  });
  const send = (type: string, data: object) => {
    if (!res.destroyed) res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  };
  const pause = () => new Promise((resolve) => setTimeout(resolve, delayMs));

  send("message_start", {
    message: {
      ...message,
      content: [],
      stop_reason: null,
      usage: { ...message.usage, output_tokens: 1 },
    },
  });
  send("ping", {});
  for (const [index, block] of message.content.entries()) {
    if (res.destroyed) return;
    if (block.type === "text") {
      send("content_block_start", { index, content_block: { type: "text", text: "" } });
      for (const piece of pieces(block.text, 12)) {
        await pause();
        send("content_block_delta", { index, delta: { type: "text_delta", text: piece } });
      }
    } else {
      send("content_block_start", { index, content_block: { ...block, input: {} } });
      for (const piece of pieces(JSON.stringify(block.input), 24)) {
        await pause();
        send("content_block_delta", {
          index,
          delta: { type: "input_json_delta", partial_json: piece },
        });
      }
    }
    send("content_block_stop", { index });
  }
  send("message_delta", {
    delta: { stop_reason: message.stop_reason, stop_sequence: null },
    usage: { output_tokens: message.usage.output_tokens },
  });
  send("message_stop", {});
  res.end();
}

function withId(block: DemoBlock) {
  if (block.type === "text") return block;
  return { type: block.type, id: newId("toolu_demo_"), name: block.name, input: block.input };
}

function usage(inputTokens: number, outputTokens: number) {
  return {
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    service_tier: "standard",
  };
}

/** Splits text into pieces of about `size` characters. */
function pieces(text: string, size: number): string[] {
  const found: string[] = [];
  for (let at = 0; at < text.length; at += size) found.push(text.slice(at, at + size));
  return found.length > 0 ? found : [""];
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function newId(prefix: string): string {
  return prefix + randomBytes(12).toString("base64url");
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: object) {
  res.writeHead(status, { "content-type": "application/json", "request-id": newId("req_demo_") });
  res.end(JSON.stringify(body));
}

/** Anthropic's error shape: `{"type":"error","error":{"type":…,"message":…}}`. */
function sendError(res: http.ServerResponse, status: number, type: string, message: string) {
  sendJson(res, status, { type: "error", error: { type, message } });
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const port = Number(process.env.CORRAL_DEMO_MODEL_PORT ?? 4590);
  const model = await start({ port, host: "127.0.0.1" });
  console.log(`demo model (scripted Anthropic Messages API, not a real model) on ${model.url}`);
}
