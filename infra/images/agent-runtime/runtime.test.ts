// The agent runtime as a real process against the task contract: a small stand-in for the
// egress gateway (an HTTP proxy that answers corral.internal itself, as the gateway does, and
// opens CONNECTs to the model host with a tenant CA, forwarding them to the demo model) and the
// real demo model. By default it runs the
// bundle with this machine's Node; with CORRAL_RUNTIME_TEST_IMAGE=corral/agent-runtime:<tag> it
// runs that image instead (Debian's Node 18, `docker run --network host`).
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import tls from "node:tls";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TenantCa } from "../../../worker/gateway/tenant-ca.ts";
import { type DemoModel, start as startDemoModel } from "../../dev/demo-model.ts";
import { runCommand } from "./src/tools.ts";
import { ToolError, Workspace } from "./src/workspace.ts";

const image = process.env.CORRAL_RUNTIME_TEST_IMAGE;
const proxyCredentials = "agent-1:token-1";
const placeholder = "corral-placeholder-0123456789abcdef";
const expectedProxyAuthorization = `Basic ${Buffer.from(proxyCredentials).toString("base64")}`;

interface StoredEvent {
  seq: number;
  type: string;
  at: string;
  [field: string]: unknown;
}

interface FakeTask {
  task: Record<string, unknown>;
  events: Map<number, StoredEvent>;
  posts: number;
  cancel: boolean;
  /** Event posts to spoil: "lose-answer" stores the events but answers 503; "drop" stores none. */
  spoil: Array<"lose-answer" | "drop">;
  waiters: Array<() => void>;
}

/**
 * The gateway and control plane, as far as the runtime can tell: absolute-form requests for
 * corral.internal are the task contract; a CONNECT to api.anthropic.test:443 is opened with the
 * tenant's CA (as the gateway does for hosts with a grant) and goes to the demo model;
 * files.test serves one file. Anything else is refused, as a deny-all policy would.
 */
class FakeGateway {
  readonly tasks = new Map<string, FakeTask>();
  readonly queue: string[] = [];
  readonly requests: Array<{ method: string; url: string; proxyAuthorization?: string }> = [];
  private nextWaiters: Array<() => void> = [];
  private server = http.createServer((req, res) => {
    this.handle(req, res).catch((error) => {
      res.writeHead(500).end(String(error));
    });
  });
  /** What arrived inside CONNECT tunnels, after TLS. */
  private tunnelled = http.createServer((req, res) => {
    this.requests.push({ method: req.method ?? "", url: `https://${req.headers.host}${req.url}` });
    this.forward(req, res, new URL(req.url ?? "/", `https://${req.headers.host}`));
  });
  port = 0;

  constructor(
    private readonly model: DemoModel,
    private readonly ca: TenantCa,
  ) {
    this.server.on("connect", (req, socket, head) => {
      this.requests.push({
        method: "CONNECT",
        url: req.url ?? "",
        proxyAuthorization: req.headers["proxy-authorization"],
      });
      if (req.headers["proxy-authorization"] !== expectedProxyAuthorization) {
        socket.end("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n");
      } else if (req.url !== "api.anthropic.test:443") {
        socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      } else {
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        if (head.length > 0) socket.unshift(head);
        this.ca.contextFor("api.anthropic.test").then((secureContext) => {
          this.tunnelled.emit(
            "connection",
            new tls.TLSSocket(socket, { isServer: true, secureContext }),
          );
        });
      }
    });
  }

  async listen() {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  close() {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(resolve));
  }

  add(task: Record<string, unknown>, spoil: FakeTask["spoil"] = []): FakeTask {
    const entry: FakeTask = {
      task,
      events: new Map(),
      posts: 0,
      cancel: false,
      spoil,
      waiters: [],
    };
    this.tasks.set(String(task.id), entry);
    this.queue.push(String(task.id));
    for (const wake of this.nextWaiters.splice(0)) wake();
    return entry;
  }

  cancel(id: string) {
    const entry = this.tasks.get(id);
    if (!entry) throw new Error(`no task ${id}`);
    entry.cancel = true;
    for (const wake of entry.waiters.splice(0)) wake();
  }

  /** Resolves with the task's events once one matches `until`. */
  async waitFor(id: string, until: (event: StoredEvent) => boolean, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const events = this.events(id);
      if (events.some(until)) return events;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out; events so far: ${JSON.stringify(events, null, 1)}\nruntime output:\n${output.slice(-20).join("\n")}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  events(id: string): StoredEvent[] {
    const entry = this.tasks.get(id);
    return entry ? [...entry.events.values()].sort((a, b) => a.seq - b.seq) : [];
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    this.requests.push({
      method: req.method ?? "",
      url: req.url ?? "",
      proxyAuthorization: req.headers["proxy-authorization"],
    });
    if (req.headers["proxy-authorization"] !== expectedProxyAuthorization) {
      res.writeHead(407, { "proxy-authenticate": 'Basic realm="corral"' }).end();
      return;
    }
    const url = new URL(req.url ?? "/");
    if (url.host === "corral.internal") return this.contract(req, res, url);
    if (url.host === "files.test") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(`This file came through the gateway. ${"More text. ".repeat(30)}`);
      return;
    }
    res.writeHead(403, { "content-type": "text/plain" });
    res.end(`corral-gateway: denied: ${url.host} is not in the agent's policy\n`);
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
    const target = new URL(url.pathname + url.search, this.model.url);
    const headers = { ...req.headers, host: target.host };
    delete headers["proxy-authorization"];
    const upstream = http.request(target, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  }

  private async contract(req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
    const body = await readJson(req);
    const json = (status: number, value?: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(value === undefined ? undefined : JSON.stringify(value));
    };
    if (req.method === "POST" && url.pathname === "/tasks/v1/next") {
      const waitMs = Math.min(Number(body?.waitSeconds ?? 0), 20) * 1000;
      if (this.queue.length === 0) await this.wait(this.nextWaiters, waitMs, res);
      const id = this.queue.shift();
      if (!id) return json(204);
      return json(200, { task: this.tasks.get(id)?.task });
    }
    const match = /^\/tasks\/v1\/tasks\/([^/]+)\/(events|control)$/.exec(url.pathname);
    const entry = match?.[1] ? this.tasks.get(decodeURIComponent(match[1])) : undefined;
    if (!match || !entry) return json(404, { error: "unknown task" });
    if (match[2] === "events" && req.method === "POST") {
      entry.posts += 1;
      const spoil = entry.spoil.shift();
      if (spoil === "drop") return res.socket?.destroy();
      for (const event of body?.events ?? []) {
        if (!entry.events.has(event.seq)) entry.events.set(event.seq, event);
      }
      if (spoil === "lose-answer") return json(503, { error: "the worker is restarting" });
      return json(200, { cancel: entry.cancel });
    }
    if (match[2] === "control" && req.method === "GET") {
      const waitMs = Math.min(Number(url.searchParams.get("wait") ?? 0), 20) * 1000;
      if (!entry.cancel) await this.wait(entry.waiters, waitMs, res);
      return json(200, { cancel: entry.cancel });
    }
    return json(405, { error: "method not allowed" });
  }

  /** Holds a long-poll until woken, `ms` pass, or the client goes away. */
  private wait(waiters: Array<() => void>, ms: number, res: http.ServerResponse) {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      res.once("close", resolve);
      waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

interface ContractBody {
  waitSeconds?: number;
  events?: StoredEvent[];
}

function readJson(req: http.IncomingMessage): Promise<ContractBody | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      resolve(text ? JSON.parse(text) : null);
    });
    req.on("error", reject);
  });
}

/** Pids of processes whose command line is exactly `sleep 60`. */
async function sleepers(): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (cmdline === "sleep\u000060\u0000") found.push(Number(entry));
  }
  return found;
}

let scratch: string;
/** The workspace on this machine, and as the runtime sees it (the same unless in Docker). */
let workspace: string;
let inside: string;
let model: DemoModel;
let gateway: FakeGateway;
let runtime: ChildProcess;
const output: string[] = [];
let cancelMs: number | undefined;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "corral-runtime-test-"));
  workspace = path.join(scratch, "workspace");
  await mkdir(workspace, { mode: 0o777 });
  await writeFile(path.join(workspace, "MEMORY.md"), "- The deploy key is in vault, not here.\n");
  model = await startDemoModel();
  const caDir = path.join(scratch, "ca");
  gateway = new FakeGateway(model, await TenantCa.load(caDir, "test"));
  await gateway.listen();

  const proxy = `http://${proxyCredentials}@127.0.0.1:${gateway.port}`;
  const env = {
    HTTP_PROXY: proxy,
    HTTPS_PROXY: proxy,
    http_proxy: proxy,
    https_proxy: proxy,
    ANTHROPIC_BASE_URL: "https://api.anthropic.test",
    ANTHROPIC_API_KEY: placeholder,
  };
  if (image) {
    // The image's user (65534) writes into the workspace.
    await execFileAsync("chown", ["65534:65534", workspace, path.join(workspace, "MEMORY.md")]);
    inside = "/workspace";
    const bundle = "/etc/corral/ca-bundle.pem";
    const flags = Object.entries({ ...env, NODE_EXTRA_CA_CERTS: bundle }).flatMap(
      ([name, value]) => ["-e", `${name}=${value}`],
    );
    const mounts = ["-v", `${workspace}:/workspace`, "-v", `${caDir}/ca.crt:${bundle}:ro`];
    runtime = spawn("docker", ["run", "--rm", "--network", "host", ...mounts, ...flags, image], {
      stdio: ["ignore", "pipe", "pipe"],
    });
  } else {
    inside = workspace;
    const bundle = path.join(scratch, "runtime.js");
    await execFileAsync("bash", [path.join(import.meta.dirname, "bundle.sh"), bundle]);
    runtime = spawn(process.execPath, [bundle], {
      // Only what an agent container gets (no proxy bypass, no NO_PROXY).
      env: {
        NODE_ENV: "test",
        PATH: process.env.PATH,
        HOME: workspace,
        CORRAL_WORKSPACE: workspace,
        NODE_EXTRA_CA_CERTS: path.join(caDir, "ca.crt"),
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
  }
  for (const stream of [runtime.stdout, runtime.stderr]) {
    if (stream) createInterface({ input: stream }).on("line", (line) => output.push(line));
  }
}, 60_000);

afterAll(async () => {
  if (process.env.CORRAL_RUNTIME_TEST_VERBOSE) {
    console.log([...output, `cancel took ${cancelMs} ms`].join("\n"));
  }
  if (runtime && runtime.exitCode === null) {
    const exited = new Promise((resolve) => runtime.once("exit", resolve));
    runtime.kill("SIGTERM");
    await exited;
  }
  await gateway?.close();
  await model?.close();
  await rm(scratch, { recursive: true, force: true });
});

const execFileAsync = promisify(execFile);

describe("agent runtime", () => {
  it("works a task to its result: streamed events in order, a bash tool call, usage", async () => {
    const hello = `${inside}/hello.txt`;
    gateway.add({
      id: "task-1",
      prompt: `Leave a greeting for the team.\nwrite ${hello}: Hello from the demo model`,
      instructions: "You are the greeter. Keep answers short.",
      inputs: [
        { name: "../brief.txt", contentBase64: Buffer.from("the brief").toString("base64") },
      ],
      timeoutSeconds: 60,
      model: null,
    });
    const events = await gateway.waitFor("task-1", (event) => event.type === "result");

    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    const kinds = events
      .map((event) => event.type)
      .filter((type, index, all) => type !== "text" || all[index - 1] !== "text");
    expect(kinds).toEqual([
      "status",
      "status",
      "text",
      "usage",
      "tool_call",
      "tool_result",
      "status",
      "text",
      "usage",
      "result",
    ]);
    expect(events[0]).toMatchObject({ type: "status", message: "started" });
    expect(Number.isNaN(Date.parse(String(events[0]?.at)))).toBe(false);
    const text = (from: number, to: number) =>
      events
        .slice(from, to)
        .filter((event) => event.type === "text")
        .map((event) => event.text)
        .join("");
    const firstCall = events.findIndex((event) => event.type === "tool_call");
    expect(text(0, firstCall)).toBe("I'll do that in the workspace.");
    expect(events[firstCall]).toMatchObject({
      name: "bash",
      input: { command: `printf '%s\\n' 'Hello from the demo model' > '${hello}'` },
    });
    expect(events[firstCall + 1]).toMatchObject({
      type: "tool_result",
      id: events[firstCall]?.id,
      isError: false,
      output: "exit code: 0",
    });
    expect(events.at(-1)).toEqual(
      expect.objectContaining({ type: "result", text: `Done: I wrote ${hello}.` }),
    );
    const usage = events.filter((event) => event.type === "usage");
    expect(usage).toHaveLength(2);
    for (const event of usage) {
      expect(event).toMatchObject({ model: "claude-sonnet-4-5" });
      expect(event.inputTokens).toBeGreaterThan(0);
      expect(event.outputTokens).toBeGreaterThan(0);
    }

    expect(await readFile(path.join(workspace, "hello.txt"), "utf8")).toBe(
      "Hello from the demo model\n",
    );
    expect(await readFile(path.join(workspace, "inputs/task-1/brief.txt"), "utf8")).toBe(
      "the brief",
    );
    expect(await readFile(path.join(workspace, ".corral/instructions.md"), "utf8")).toBe(
      "You are the greeter. Keep answers short.",
    );

    // What the model was sent: the placeholder key as is, the instructions, memory, tools.
    const call = model.seen.at(-1);
    expect(call?.headers.authorization).toBe(`Bearer ${placeholder}`);
    const sent = call?.body as { system: string; tools: Array<{ name: string }>; stream: boolean };
    expect(sent.stream).toBe(true);
    expect(sent.system).toContain("You are the greeter. Keep answers short.");
    expect(sent.system).toContain("The deploy key is in vault, not here.");
    expect(sent.system).toContain(`${inside}/inputs/task-1/brief.txt`);
    expect(sent.tools.map((tool) => tool.name)).toEqual([
      "bash",
      "read_file",
      "write_file",
      "edit_file",
      "fetch_url",
    ]);

    // Everything went through the proxy with its credentials: the task contract as absolute-form
    // plain HTTP, the model through a CONNECT opened with the tenant's CA.
    const toProxy = gateway.requests.filter((request) => !request.url.startsWith("https://"));
    for (const request of toProxy) {
      expect(request.proxyAuthorization).toBe(expectedProxyAuthorization);
      expect(`${request.method} ${request.url}`).toMatch(
        /^(POST|GET) http:\/\/corral\.internal\/tasks\/v1\/|^CONNECT api\.anthropic\.test:443$/,
      );
    }
    expect(toProxy.some((request) => request.method === "CONNECT")).toBe(true);
    expect(gateway.requests).toContainEqual({
      method: "POST",
      url: "https://api.anthropic.test/v1/messages",
    });
    await expect.poll(() => output.join("\n")).toMatch(/task task-1: result \(claude-sonnet-4-5/);
    expect(output.join("\n")).not.toContain(placeholder);
  });

  it("delivers every event exactly once when event posts fail", async () => {
    const entry = gateway.add(
      {
        id: "task-2",
        prompt: `write ${inside}/second.txt: again`,
        instructions: "",
        inputs: [],
        timeoutSeconds: 60,
        model: "claude-haiku-4-5",
      },
      ["lose-answer", "drop", "lose-answer"],
    );
    const events = await gateway.waitFor("task-2", (event) => event.type === "result");
    expect(entry.spoil).toEqual([]);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.filter((event) => event.type === "tool_call")).toHaveLength(1);
    expect(events.find((event) => event.type === "usage")).toMatchObject({
      model: "claude-haiku-4-5",
    });
    expect(await readFile(path.join(workspace, "second.txt"), "utf8")).toBe("again\n");
  });

  it("fetches a URL through the gateway", async () => {
    gateway.add({ id: "task-3", prompt: "Please fetch http://files.test/readme.txt", inputs: [] });
    const events = await gateway.waitFor("task-3", (event) => event.type === "result");
    expect(events.find((event) => event.type === "tool_call")).toMatchObject({
      name: "fetch_url",
      input: { url: "http://files.test/readme.txt" },
    });
    expect(events.find((event) => event.type === "tool_result")).toMatchObject({
      isError: false,
      output: expect.stringContaining("HTTP 200"),
    });
    expect(events.at(-1)?.text).toContain("This file came through the gateway.");
  });

  it("stops a cancelled task within two seconds, killing its command", async () => {
    gateway.add({ id: "task-4", prompt: "Please sleep for a minute.", inputs: [] });
    await gateway.waitFor("task-4", (event) => event.type === "tool_call");
    // The command starts just after its tool_call event is sent.
    await expect.poll(sleepers, { timeout: 5000 }).not.toEqual([]);
    const running = await sleepers();
    const cancelledAt = Date.now();
    gateway.cancel("task-4");
    const events = await gateway.waitFor("task-4", (event) => event.type === "error", 5000);
    const elapsed = Date.now() - cancelledAt;
    cancelMs = elapsed;
    expect(elapsed).toBeLessThan(2000);
    expect(events.at(-1)).toMatchObject({ type: "error", cancelled: true });
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    const left = await sleepers();
    expect(running.filter((pid) => left.includes(pid))).toEqual([]);
    await expect.poll(() => output.join("\n")).toContain("task task-4: cancelled");
  });

  it("stops a task at its deadline", async () => {
    gateway.add({ id: "task-7", prompt: "sleep", inputs: [], timeoutSeconds: 1 });
    const events = await gateway.waitFor("task-7", (event) => event.type === "error", 5000);
    expect(events.at(-1)).toEqual(
      expect.objectContaining({ type: "error", message: "timed out after 1 s" }),
    );
    expect(events.at(-1)).not.toHaveProperty("cancelled");
  });

  it.runIf(image)("runs the demo model's default script in the image", async () => {
    await rm(path.join(workspace, "hello.txt"), { force: true });
    gateway.add({ id: "task-6", prompt: "Leave a greeting.", inputs: [] });
    const events = await gateway.waitFor("task-6", (event) => event.type === "result");
    expect(events.find((event) => event.type === "tool_result")).toMatchObject({
      isError: false,
      output: expect.stringMatching(/exit code: 0\n--- stdout ---\n.*agent agent .* hello\.txt/s),
    });
    expect(await readFile(path.join(workspace, "hello.txt"), "utf8")).toBe(
      "Hello from the demo model\n",
    );
  });

  it("keeps working after a task and stops promptly on SIGTERM", async () => {
    gateway.add({ id: "task-5", prompt: `write ${inside}/third.txt: bye`, inputs: [] });
    await gateway.waitFor("task-5", (event) => event.type === "result");
    const exited = new Promise<number | null>((resolve) => runtime.once("exit", resolve));
    const stoppedAt = Date.now();
    runtime.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(5000);
  });
});

describe("workspace guard", () => {
  it("keeps the file tools inside the workspace, symlinks and .. included", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "corral-guard-"));
    try {
      const guard = await Workspace.open(root);
      await symlink("/etc", path.join(root, "etc-link"));
      await symlink("/nonexistent/file", path.join(root, "dangling"));
      await mkdir(path.join(root, "notes"));
      await symlink(path.join(root, "notes"), path.join(root, "notes-link"));

      expect(await guard.resolve("a/b/new.txt")).toBe(path.join(guard.root, "a/b/new.txt"));
      expect(await guard.resolve(`${root}/notes-link/x.md`)).toBe(
        path.join(guard.root, "notes/x.md"),
      );
      for (const outside of [
        "../x",
        "/etc/passwd",
        "etc-link/passwd",
        "notes/../../x",
        "dangling",
      ]) {
        await expect(guard.resolve(outside)).rejects.toBeInstanceOf(ToolError);
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("times out a command and kills what it started", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const run = await runCommand("sleep 30 & echo started; wait", tmpdir(), 1, controller.signal);
    expect(run.timedOut).toBe(true);
    expect(run.stdout).toBe("started\n");
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
