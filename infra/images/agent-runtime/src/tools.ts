// The tools the model may call, all run inside the agent's own container: a shell, four file
// tools kept inside the workspace, and fetch_url through the egress gateway. A tool never
// throws at the model: failures come back as error results it can read and act on.
import { spawn } from "node:child_process";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { linkSignals, proxiedFetch } from "./http.ts";
import { ToolError, type Workspace } from "./workspace.ts";

/** What a tool result may carry back, in characters. */
export const outputLimit = 30_000;

export interface ToolDefinition {
  name: string;
  description: string;
  input_schema: { type: "object"; properties: Record<string, unknown>; required: string[] };
}

export interface ToolResult {
  output: string;
  isError: boolean;
}

export interface ToolContext {
  workspace: Workspace;
  /** Aborts when the task is cancelled or times out: running commands are killed. */
  signal: AbortSignal;
}

export const toolDefinitions: ToolDefinition[] = [
  {
    name: "bash",
    description:
      "Run a command with bash in the workspace (the working directory) and get its exit code, stdout and stderr. Each call is a fresh shell. Long output is cut in the middle. The default timeout is 120 seconds (at most 1800). Network access goes through the egress gateway already configured in HTTP_PROXY/HTTPS_PROXY; hosts outside the agent's policy are refused with 403.",
    input_schema: {
      type: "object",
      properties: {
        command: { type: "string", description: "The command line." },
        timeout_seconds: { type: "number", description: "Stop it after this many seconds." },
      },
      required: ["command"],
    },
  },
  {
    name: "read_file",
    description:
      "Read a text file in the workspace. Optionally a range of lines: offset (first line, from 1) and limit (how many).",
    input_schema: {
      type: "object",
      properties: {
        path: { type: "string", description: "Absolute, or relative to the workspace." },
        offset: { type: "number" },
        limit: { type: "number" },
      },
      required: ["path"],
    },
  },
  {
    name: "write_file",
    description:
      "Create or overwrite a file in the workspace with the given content (folders are created).",
    input_schema: {
      type: "object",
      properties: { path: { type: "string" }, content: { type: "string" } },
      required: ["path", "content"],
    },
  },
  {
    name: "edit_file",
    description:
      "Replace an exact string in a workspace file. old_string must appear exactly once unless replace_all is true; include enough surrounding text to make it unique.",
    input_schema: {
      type: "object",
      properties: {
        path: { type: "string" },
        old_string: { type: "string" },
        new_string: { type: "string" },
        replace_all: { type: "boolean" },
      },
      required: ["path", "old_string", "new_string"],
    },
  },
  {
    name: "fetch_url",
    description:
      "GET a URL (http or https) through the egress gateway and return the status and the text of the answer (cut when long). Hosts outside the agent's policy are refused with 403.",
    input_schema: {
      type: "object",
      properties: { url: { type: "string" } },
      required: ["url"],
    },
  },
];

export async function runTool(
  name: string,
  input: unknown,
  context: ToolContext,
): Promise<ToolResult> {
  const args = (input && typeof input === "object" ? input : {}) as Record<string, unknown>;
  try {
    switch (name) {
      case "bash":
        return await bash(args, context);
      case "read_file":
        return ok(await readText(args, context.workspace));
      case "write_file":
        return ok(await writeText(args, context.workspace));
      case "edit_file":
        return ok(await editText(args, context.workspace));
      case "fetch_url":
        return await fetchUrl(args, context);
      default:
        return { output: `there is no tool named ${name}`, isError: true };
    }
  } catch (error) {
    if (context.signal.aborted) throw context.signal.reason;
    if (error instanceof ToolError) return { output: error.message, isError: true };
    const code = (error as NodeJS.ErrnoException).code;
    const message = error instanceof Error ? error.message : String(error);
    return { output: code ? `${code}: ${message}` : `the tool failed: ${message}`, isError: true };
  }
}

const ok = (output: string): ToolResult => ({ output, isError: false });

async function bash(args: Record<string, unknown>, context: ToolContext): Promise<ToolResult> {
  const command = args.command;
  if (typeof command !== "string" || command.trim() === "") {
    throw new ToolError("command must be a non-empty string");
  }
  const asked = typeof args.timeout_seconds === "number" ? args.timeout_seconds : 120;
  // The task's own deadline aborts `signal`, which kills the command too.
  const timeoutSeconds = Math.max(1, Math.min(asked, 1800));
  const run = await runCommand(command, context.workspace.root, timeoutSeconds, context.signal);
  if (context.signal.aborted) throw context.signal.reason;
  const parts = [
    run.timedOut
      ? `timed out after ${timeoutSeconds} s (killed)`
      : `exit code: ${run.code ?? run.signal}`,
  ];
  if (run.stdout) parts.push(`--- stdout ---\n${run.stdout}`);
  if (run.stderr) parts.push(`--- stderr ---\n${run.stderr}`);
  return { output: parts.join("\n"), isError: run.timedOut || run.code !== 0 };
}

interface CommandRun {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs `bash -c command` in its own process group, so a timeout or a cancel kills everything it
 * started. Resolves once it exits and its output is read (or a second after it exits, when
 * something it left in the background still holds the output open: that is killed).
 */
export function runCommand(
  command: string,
  cwd: string,
  timeoutSeconds: number,
  signal: AbortSignal,
): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/bash", ["-c", command], {
      cwd,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout = new Capture();
    const stderr = new Capture();
    child.stdout.on("data", (chunk: Buffer) => stdout.add(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.add(chunk));
    let timedOut = false;
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutSeconds * 1000);
    const onAbort = () => killGroup();
    signal.addEventListener("abort", onAbort, { once: true });
    let exit: { code: number | null; signal: string | null } | null = null;
    let straggler: NodeJS.Timeout | null = null;
    const finish = () => {
      clearTimeout(timer);
      if (straggler) clearTimeout(straggler);
      signal.removeEventListener("abort", onAbort);
      resolve({
        code: exit?.code ?? null,
        signal: exit?.signal ?? null,
        stdout: stdout.text(),
        stderr: stderr.text(),
        timedOut,
      });
    };
    child.on("error", (error) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      reject(error);
    });
    child.on("exit", (code, exitSignal) => {
      exit = { code, signal: exitSignal };
      straggler = setTimeout(() => {
        killGroup();
        child.stdout.destroy();
        child.stderr.destroy();
        finish();
      }, 1000);
    });
    child.on("close", (code, exitSignal) => {
      exit ??= { code, signal: exitSignal };
      finish();
    });
  });
}

/** Keeps the start and the end of a long output; the middle is counted, not kept. */
class Capture {
  private head = Buffer.alloc(0);
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private total = 0;
  private readonly half = Math.floor(outputLimit / 2);

  add(chunk: Buffer) {
    this.total += chunk.length;
    if (this.head.length < this.half) {
      const room = this.half - this.head.length;
      this.head = Buffer.concat([this.head, chunk.subarray(0, room)]);
      chunk = chunk.subarray(room);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tail.length > 1 && this.tailBytes - (this.tail[0]?.length ?? 0) >= this.half) {
      this.tailBytes -= this.tail.shift()?.length ?? 0;
    }
  }

  text(): string {
    const tail = Buffer.concat(this.tail);
    const kept = tail.subarray(Math.max(0, tail.length - this.half));
    const omitted = this.total - this.head.length - kept.length;
    const head = this.head.toString("utf8");
    if (omitted <= 0) return head + kept.toString("utf8");
    return `${head}\n… [${omitted} bytes omitted] …\n${kept.toString("utf8")}`;
  }
}

async function readText(args: Record<string, unknown>, workspace: Workspace): Promise<string> {
  const file = await workspace.resolve(args.path);
  const info = await stat(file);
  if (info.isDirectory()) throw new ToolError(`${args.path} is a folder; use bash (ls) to list it`);
  if (info.size > 10 * 1024 * 1024) {
    throw new ToolError(
      `${args.path} is ${info.size} bytes; read parts of it with bash (head, sed)`,
    );
  }
  const buffer = await readFile(file);
  if (buffer.subarray(0, 8192).includes(0)) {
    throw new ToolError(`${args.path} is a binary file (${buffer.length} bytes)`);
  }
  let lines = buffer.toString("utf8").split("\n");
  const offset = typeof args.offset === "number" ? Math.max(1, Math.floor(args.offset)) : 1;
  const limit = typeof args.limit === "number" ? Math.max(0, Math.floor(args.limit)) : undefined;
  if (offset > 1 || limit !== undefined) {
    lines = lines.slice(offset - 1, limit === undefined ? undefined : offset - 1 + limit);
  }
  const text = lines.join("\n");
  if (text.length <= outputLimit) return text;
  return `${text.slice(0, outputLimit)}\n… (cut at ${outputLimit} characters: read further with offset and limit)`;
}

async function writeText(args: Record<string, unknown>, workspace: Workspace): Promise<string> {
  if (typeof args.content !== "string") throw new ToolError("content must be a string");
  const file = await workspace.resolve(args.path);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, args.content);
  return `wrote ${Buffer.byteLength(args.content)} bytes to ${file}`;
}

async function editText(args: Record<string, unknown>, workspace: Workspace): Promise<string> {
  const { old_string: before, new_string: after } = args;
  if (typeof before !== "string" || before === "") {
    throw new ToolError("old_string must be a non-empty string");
  }
  if (typeof after !== "string") throw new ToolError("new_string must be a string");
  const file = await workspace.resolve(args.path);
  const text = await readFile(file, "utf8");
  const count = text.split(before).length - 1;
  if (count === 0) throw new ToolError(`old_string was not found in ${args.path}`);
  if (count > 1 && args.replace_all !== true) {
    throw new ToolError(
      `old_string appears ${count} times in ${args.path}; add surrounding text to make it unique, or set replace_all`,
    );
  }
  await writeFile(file, text.split(before).join(after));
  return `replaced ${count} occurrence${count === 1 ? "" : "s"} in ${file}`;
}

async function fetchUrl(args: Record<string, unknown>, context: ToolContext): Promise<ToolResult> {
  let url: URL;
  try {
    url = new URL(String(args.url));
  } catch {
    throw new ToolError("url must be an absolute http or https URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ToolError("url must be an absolute http or https URL");
  }
  const linked = linkSignals([context.signal, AbortSignal.timeout(60_000)]);
  try {
    const response = await proxiedFetch(url, { signal: linked.signal, redirect: "follow" });
    const type = response.headers.get("content-type") ?? "";
    const body = await readAtMost(response, 2 * 1024 * 1024);
    const head = `HTTP ${response.status} ${response.statusText}\ncontent-type: ${type || "(none)"}`;
    const textual =
      /^text\/|json|xml|javascript|x-www-form-urlencoded/i.test(type) ||
      (!type && !body.bytes.subarray(0, 8192).includes(0));
    let text: string;
    if (!textual) text = `(${body.bytes.length} bytes of ${type || "binary data"}, not shown)`;
    else {
      text = body.bytes.toString("utf8");
      if (text.length > outputLimit || body.cut) {
        text = `${text.slice(0, outputLimit)}\n… (cut: the answer is longer)`;
      }
    }
    return { output: `${head}\n\n${text}`, isError: response.status >= 400 };
  } catch (error) {
    if (context.signal.aborted) throw context.signal.reason;
    if (linked.signal.aborted) throw new ToolError(`no answer from ${url.host} within 60 s`);
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new ToolError(`could not fetch ${url}: ${cause ?? (error as Error).message}`);
  } finally {
    linked.dispose();
  }
}

async function readAtMost(response: Response, limit: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  let cut = false;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(Buffer.from(value));
      size += value.length;
      if (size >= limit) {
        cut = true;
        await reader.cancel();
        break;
      }
    }
  }
  return { bytes: Buffer.concat(chunks).subarray(0, limit), cut };
}
