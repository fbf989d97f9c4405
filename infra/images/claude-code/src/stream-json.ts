// Claude Code's `--output-format stream-json --verbose --include-partial-messages` output, one
// JSON message a line, turned into task-contract events:
//   system/init                       → status (version, model, permission mode)
//   stream_event text_delta           → text, as it streams
//   stream_event message_start…stop   → usage, one per model call
//   assistant tool_use blocks         → tool_call (with the complete input)
//   user tool_result blocks           → tool_result
//   result                            → the outcome: its text, or why it failed
// Messages it does not know are ignored: Claude Code adds kinds between versions.
import type { TaskEvent } from "../../agent-runtime/src/contract.ts";

export interface EventSink {
  emit: (event: TaskEvent) => void;
  appendText: (delta: string) => void;
}

export type ClaudeOutcome = { ok: true; text: string } | { ok: false; message: string };

/** The contract's limits (common/task-contract.ts), kept well below with room for markers. */
const limits = { output: 60_000, result: 190_000, message: 1_900, inputString: 10_000 };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const count = (value: unknown): number =>
  typeof value === "number" && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;

export class StreamJsonMapper {
  /** Set by the `result` message; null while Claude Code works (or when it died first). */
  outcome: ClaudeOutcome | null = null;
  modelCalls = 0;
  toolCalls = 0;
  inputTokens = 0;
  outputTokens = 0;
  /** The model call being streamed: its model and token counts so far. */
  private call: { id: string; model: string; input: number; output: number } | null = null;
  /** Messages whose text already came as deltas (their `assistant` copies are not re-sent). */
  private readonly streamed = new Set<string>();

  constructor(private readonly sink: EventSink) {}

  handle(message: unknown): void {
    if (!isObject(message)) return;
    if (message.type === "system") this.system(message);
    else if (message.type === "stream_event") this.streamEvent(message.event);
    else if (message.type === "assistant") this.assistant(message.message);
    else if (message.type === "user") this.user(message.message);
    else if (message.type === "result") this.result(message);
  }

  private system(message: Json): void {
    if (message.subtype === "init") {
      const version = String(message.claude_code_version ?? "?");
      const tools = Array.isArray(message.tools) ? message.tools.length : 0;
      this.sink.emit({
        type: "status",
        message: `Claude Code ${version} started: model ${String(message.model ?? "?")}, permission mode ${String(message.permissionMode ?? "?")}, ${tools} tools`,
      });
    } else if (message.subtype === "compact_boundary") {
      this.sink.emit({ type: "status", message: "Claude Code compacted the conversation" });
    }
  }

  private streamEvent(event: unknown): void {
    if (!isObject(event)) return;
    if (event.type === "message_start" && isObject(event.message)) {
      const usage = isObject(event.message.usage) ? event.message.usage : {};
      const id = String(event.message.id ?? "");
      this.call = {
        id,
        model: String(event.message.model ?? "unknown"),
        input:
          count(usage.input_tokens) +
          count(usage.cache_creation_input_tokens) +
          count(usage.cache_read_input_tokens),
        output: count(usage.output_tokens),
      };
      return;
    }
    if (event.type === "content_block_delta" && isObject(event.delta)) {
      if (event.delta.type === "text_delta" && typeof event.delta.text === "string") {
        if (this.call) this.streamed.add(this.call.id);
        this.sink.appendText(event.delta.text);
      }
      return;
    }
    if (event.type === "message_delta" && this.call && isObject(event.usage)) {
      // Counts in message_delta are totals for the call so far, not increments.
      const usage = event.usage;
      if (usage.output_tokens !== undefined) this.call.output = count(usage.output_tokens);
      if (usage.input_tokens !== undefined) {
        this.call.input =
          count(usage.input_tokens) +
          count(usage.cache_creation_input_tokens) +
          count(usage.cache_read_input_tokens);
      }
      return;
    }
    if (event.type === "message_stop" && this.call) {
      const { model, input, output } = this.call;
      this.call = null;
      this.modelCalls += 1;
      this.inputTokens += input;
      this.outputTokens += output;
      this.sink.emit({ type: "usage", model, inputTokens: input, outputTokens: output });
    }
  }

  private assistant(message: unknown): void {
    if (!isObject(message) || !Array.isArray(message.content)) return;
    const id = String(message.id ?? "");
    for (const block of message.content) {
      if (!isObject(block)) continue;
      if (block.type === "text" && typeof block.text === "string" && !this.streamed.has(id)) {
        // Without partial messages, text arrives only here.
        this.sink.appendText(block.text);
      } else if (block.type === "tool_use") {
        this.toolCalls += 1;
        this.sink.emit({
          type: "tool_call",
          id: String(block.id ?? `call-${this.toolCalls}`).slice(0, 128),
          name: String(block.name ?? "unknown").slice(0, 128),
          input: clipStrings(block.input, limits.inputString),
        });
      }
    }
  }

  private user(message: unknown): void {
    if (!isObject(message) || !Array.isArray(message.content)) return;
    for (const block of message.content) {
      if (!isObject(block) || block.type !== "tool_result") continue;
      this.sink.emit({
        type: "tool_result",
        id: String(block.tool_use_id ?? "unknown").slice(0, 128),
        output: clip(contentText(block.content), limits.output),
        isError: block.is_error === true,
      });
    }
  }

  private result(message: Json): void {
    // Usage normally came per call; a Claude Code without partial messages reports it here.
    if (this.modelCalls === 0 && isObject(message.modelUsage)) {
      for (const [model, raw] of Object.entries(message.modelUsage)) {
        if (!isObject(raw)) continue;
        const input =
          count(raw.inputTokens) +
          count(raw.cacheReadInputTokens) +
          count(raw.cacheCreationInputTokens);
        const output = count(raw.outputTokens);
        this.inputTokens += input;
        this.outputTokens += output;
        this.sink.emit({ type: "usage", model, inputTokens: input, outputTokens: output });
      }
    }
    const text = typeof message.result === "string" ? message.result : "";
    if (message.subtype === "success" && message.is_error !== true) {
      this.outcome = { ok: true, text: clip(text, limits.result) };
      return;
    }
    const errors = Array.isArray(message.errors) ? message.errors.map(String).join("; ") : "";
    const why = text || errors || `Claude Code ended with ${String(message.subtype ?? "an error")}`;
    this.outcome = { ok: false, message: clip(why, limits.message) };
  }
}

/** A tool result's content: a string, or its blocks (text kept, others named). */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((block) => {
      if (!isObject(block)) return "";
      if (block.type === "text") return String(block.text ?? "");
      return `[${String(block.type ?? "content")}]`;
    })
    .join("\n");
}

export function clip(text: string, limit: number): string {
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}\n… (${text.length - limit} characters cut)`;
}

/**
 * The value with every string longer than `limit` cut, so one event stays small: a Write of a
 * large file would otherwise carry the whole file into the task's events.
 */
export function clipStrings(value: unknown, limit: number, depth = 0): unknown {
  if (typeof value === "string") return clip(value, limit);
  if (depth > 20 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => clipStrings(item, limit, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, clipStrings(item, limit, depth + 1)]),
  );
}
