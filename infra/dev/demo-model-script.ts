// The demo model's script: given a Messages API request, the reply it gives. Deterministic, so
// tests and the demo organisation see the same conversation every time. It reads the first user
// message (the task) and counts the tool results that came back:
//   - the task has no tools to use, or no tools are offered → one text answer;
//   - otherwise turn 1 → a short text and one tool call; after a tool result → a final text.
// Tasks it understands (anything else is the default):
//   - a line "run: <command>" → runs that command with the shell tool (Claude Code refuses a
//                             bare `sleep 60`: a cancel test there runs an until-loop instead);
//   - "sleep"               → bash `sleep 60` (for cancel tests);
//   - "fetch <url>"         → fetch_url {url}, then quotes the start of what came back;
//   - a line "write <path>: <text>" → writes that text to that path;
//   - default               → writes "Hello from the demo model" to /workspace/hello.txt.
// Tools are picked by name from the request: Claude Code's `Write`, `Bash` and `WebFetch` are
// used when offered, else the agent runtime's `bash` and `fetch_url`.

export const demoModelId = "corral-demo-model";

/** The parts of a request the script reads (loosely typed: clients send what they like). */
export interface DemoRequest {
  model?: string;
  messages?: Array<{ role?: string; content?: unknown }>;
  tools?: Array<{ name?: string }>;
}

export type DemoBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; name: string; input: Record<string, unknown> };

export interface DemoReply {
  blocks: DemoBlock[];
  stopReason: "tool_use" | "end_turn";
}

export const defaultFile = "/workspace/hello.txt";
export const defaultText = "Hello from the demo model";

export function demoReply(request: DemoRequest): DemoReply {
  const prompt = firstUserText(request.messages ?? []);
  const results = toolResults(request.messages ?? []);
  const offered = new Set((request.tools ?? []).map((tool) => tool.name ?? ""));
  const say = (text: string): DemoReply => ({
    blocks: [{ type: "text", text }],
    stopReason: "end_turn",
  });

  if (offered.size === 0) {
    return say(
      `This is the demo model. No tools were offered, so I can only answer in text. You asked: "${clip(prompt, 80)}"`,
    );
  }

  const plan = planFor(prompt, offered);
  if (!plan) {
    return say(
      `This is the demo model. None of the offered tools (${[...offered].join(", ")}) fits this task.`,
    );
  }
  const last = results.at(-1);
  if (last) {
    if (last.isError) return say(`The tool reported an error: ${clip(last.text, 100)}`);
    return say(plan.done(last.text));
  }
  return {
    blocks: [
      { type: "text", text: plan.intro },
      { type: "tool_use", name: plan.tool, input: plan.input },
    ],
    stopReason: "tool_use",
  };
}

interface Plan {
  intro: string;
  tool: string;
  input: Record<string, unknown>;
  /** The final answer, given the tool's output. */
  done: (output: string) => string;
}

function planFor(prompt: string, offered: Set<string>): Plan | null {
  const run = /^\s*run:[ \t]*(\S.*)$/im.exec(prompt);
  if (run?.[1]) {
    const command = run[1].trim();
    const shell = shellCall(offered, command, `Run ${clip(command, 60)}`);
    const done = (output: string) => `Ran it. The output starts: "${clip(output, 100)}"`;
    return shell && { intro: "I'll run that command.", ...shell, done };
  }
  if (/\bsleep\b/i.test(prompt)) {
    const shell = shellCall(offered, "sleep 60", "Wait for a minute");
    return shell && { intro: "I'll wait for a minute.", ...shell, done: () => "Done sleeping." };
  }

  const fetch = /\bfetch\s+(https?:\/\/\S+)/i.exec(prompt);
  if (fetch?.[1]) {
    const url = fetch[1].replace(/[.,;:!?)"']+$/, "");
    const done = (output: string) => `Fetched ${url}. It starts: "${clip(output, 100)}"`;
    const intro = "I'll fetch that page.";
    if (offered.has("fetch_url")) return { intro, tool: "fetch_url", input: { url }, done };
    if (offered.has("WebFetch"))
      return { intro, tool: "WebFetch", input: { url, prompt: "Return the page's text." }, done };
    const shell = shellCall(offered, `curl -sS ${quote(url)}`, `Fetch ${url}`);
    return shell && { intro, ...shell, done };
  }

  const write = /^\s*write\s+(\S+):[ \t]?(.*)$/im.exec(prompt);
  const file = write?.[1] ?? defaultFile;
  const text = write ? (write[2] ?? "") : defaultText;
  const intro = "I'll do that in the workspace.";
  const done = () => `Done: I wrote ${file}.`;
  if (offered.has("Write")) {
    return { intro, tool: "Write", input: { file_path: file, content: `${text}\n` }, done };
  }
  const command = write
    ? `printf '%s\\n' ${quote(text)} > ${quote(file)}`
    : `echo '${defaultText}' > ${defaultFile} && ls -l /workspace`;
  const shell = shellCall(offered, command, `Write ${file}`);
  return shell && { intro, ...shell, done };
}

/** A call of the offered shell tool: the runtime's `bash`, or Claude Code's `Bash`. */
function shellCall(offered: Set<string>, command: string, description: string) {
  if (offered.has("bash")) return { tool: "bash", input: { command } };
  if (offered.has("Bash")) return { tool: "Bash", input: { command, description } };
  return null;
}

function firstUserText(messages: NonNullable<DemoRequest["messages"]>): string {
  const first = messages.find((message) => message.role === "user");
  return first ? contentText(first.content) : "";
}

function toolResults(messages: NonNullable<DemoRequest["messages"]>) {
  const found: Array<{ text: string; isError: boolean }> = [];
  for (const message of messages) {
    if (message.role !== "user" || !Array.isArray(message.content)) continue;
    for (const block of message.content as Array<Record<string, unknown>>) {
      if (block?.type === "tool_result") {
        found.push({ text: contentText(block.content), isError: block.is_error === true });
      }
    }
  }
  return found;
}

/** The text of a message's (or tool result's) content: a string, or its text blocks joined. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((block) =>
      block && typeof block === "object" && block.type === "text" ? String(block.text) : "",
    )
    .join("");
}

function clip(text: string, length: number): string {
  return text.length > length ? text.slice(0, length) : text;
}

/** Single-quoted for a POSIX shell. */
function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
