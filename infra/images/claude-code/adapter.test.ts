// The adapter's translation of Claude Code's stream-json into task-contract events, checked
// against the contract's own schema, and its command line. (The image itself, with the real
// Claude Code, runs in worker/gateway/claude-code.integration.test.ts.)
import { describe, expect, it } from "vitest";
import { taskEventSchema } from "../../../common/task-contract.ts";
import type { TaskEvent } from "../agent-runtime/src/contract.ts";
import { StreamJsonMapper } from "./src/stream-json.ts";
import { appendedSystemPrompt, claudeArguments } from "./src/task.ts";

function mapped(messages: unknown[]) {
  const events: TaskEvent[] = [];
  let text = "";
  const flush = () => {
    if (text) events.push({ type: "text", text });
    text = "";
  };
  const mapper = new StreamJsonMapper({
    emit: (event) => {
      flush();
      events.push(event);
    },
    appendText: (delta) => {
      text += delta;
    },
  });
  for (const message of messages) mapper.handle(message);
  flush();
  // Every event must pass the control plane's schema, or its whole batch would be refused.
  for (const [index, event] of events.entries()) {
    expect(
      taskEventSchema.safeParse({ seq: index + 1, ...event }).success,
      JSON.stringify(event),
    ).toBe(true);
  }
  return { events, mapper };
}

const start = (id: string, input: number) => ({
  type: "stream_event",
  event: {
    type: "message_start",
    message: {
      id,
      model: "claude-test",
      usage: { input_tokens: input, cache_read_input_tokens: 5, output_tokens: 1 },
    },
  },
});
const delta = (text: string) => ({
  type: "stream_event",
  event: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } },
});
const stop = (output: number) => [
  { type: "stream_event", event: { type: "message_delta", usage: { output_tokens: output } } },
  { type: "stream_event", event: { type: "message_stop" } },
];

describe("StreamJsonMapper", () => {
  it("turns a run with one tool call into status, text, tool_call, tool_result, usage and its outcome", () => {
    const { events, mapper } = mapped([
      {
        type: "system",
        subtype: "init",
        claude_code_version: "9.9.9",
        model: "claude-test",
        permissionMode: "acceptEdits",
        tools: ["Bash", "Write"],
      },
      { type: "system", subtype: "status", status: "requesting" },
      start("m1", 100),
      delta("I'll write "),
      delta("it."),
      {
        type: "assistant",
        message: { id: "m1", content: [{ type: "text", text: "I'll write it." }] },
      },
      {
        type: "assistant",
        message: {
          id: "m1",
          content: [{ type: "tool_use", id: "t1", name: "Write", input: { file_path: "/w/a" } }],
        },
      },
      ...stop(40),
      {
        type: "user",
        message: {
          content: [
            { type: "tool_result", tool_use_id: "t1", content: "File created", is_error: false },
          ],
        },
      },
      start("m2", 200),
      delta("Done."),
      { type: "assistant", message: { id: "m2", content: [{ type: "text", text: "Done." }] } },
      ...stop(7),
      { type: "something_new", data: 1 },
      { type: "result", subtype: "success", is_error: false, result: "Done." },
    ]);
    expect(events).toEqual([
      {
        type: "status",
        message:
          "Claude Code 9.9.9 started: model claude-test, permission mode acceptEdits, 2 tools",
      },
      { type: "text", text: "I'll write it." },
      { type: "tool_call", id: "t1", name: "Write", input: { file_path: "/w/a" } },
      { type: "usage", model: "claude-test", inputTokens: 105, outputTokens: 40 },
      { type: "tool_result", id: "t1", output: "File created", isError: false },
      { type: "text", text: "Done." },
      { type: "usage", model: "claude-test", inputTokens: 205, outputTokens: 7 },
    ]);
    expect(mapper.outcome).toEqual({ ok: true, text: "Done." });
    expect([mapper.modelCalls, mapper.toolCalls, mapper.inputTokens, mapper.outputTokens]).toEqual([
      2, 1, 310, 47,
    ]);
  });

  it("takes text and usage from whole messages when there are no partial ones", () => {
    const { events } = mapped([
      { type: "assistant", message: { id: "m1", content: [{ type: "text", text: "Hello" }] } },
      {
        type: "result",
        subtype: "success",
        result: "Hello",
        modelUsage: {
          "claude-test": { inputTokens: 10, outputTokens: 2, cacheReadInputTokens: 3 },
        },
      },
    ]);
    expect(events).toEqual([
      { type: "text", text: "Hello" },
      { type: "usage", model: "claude-test", inputTokens: 13, outputTokens: 2 },
    ]);
  });

  it("says why a run failed, and keeps large tool inputs and outputs within the contract", () => {
    const big = "x".repeat(300_000);
    const { events, mapper } = mapped([
      {
        type: "assistant",
        message: {
          id: "m1",
          content: [{ type: "tool_use", id: "t1", name: "Write", input: { content: big } }],
        },
      },
      {
        type: "user",
        message: {
          content: [
            {
              type: "tool_result",
              tool_use_id: "t1",
              content: [{ type: "text", text: big }, { type: "image" }],
              is_error: true,
            },
          ],
        },
      },
      { type: "result", subtype: "error_max_turns", is_error: true, errors: ["too many turns"] },
    ]);
    const input = (events[0] as { input: { content: string } }).input.content;
    expect(input.length).toBeLessThan(11_000);
    expect(input).toMatch(/characters cut\)$/);
    expect(events[1]).toMatchObject({ type: "tool_result", isError: true });
    expect(mapper.outcome).toEqual({ ok: false, message: "too many turns" });
  });
});

describe("the command line", () => {
  it("runs print mode with stream-json, no prompts, the allowed tools, the model and Corral's notes", () => {
    const args = claudeArguments({
      model: "claude-test",
      permissionMode: "acceptEdits",
      allowedTools: ["Bash", "WebFetch"],
      systemPrompt: "notes",
    });
    expect(args.slice(0, 5)).toEqual([
      "-p",
      "--output-format",
      "stream-json",
      "--verbose",
      "--include-partial-messages",
    ]);
    const flagValue = (flag: string) => args[args.indexOf(flag) + 1];
    expect(flagValue("--permission-mode")).toBe("acceptEdits");
    expect(flagValue("--permission-prompts")).toBe("none");
    expect(flagValue("--allowedTools")).toBe("Bash,WebFetch");
    expect(flagValue("--model")).toBe("claude-test");
    expect(flagValue("--append-system-prompt")).toBe("notes");
    expect(
      claudeArguments({
        model: null,
        permissionMode: "acceptEdits",
        allowedTools: [],
        systemPrompt: "n",
      }),
    ).not.toContain("--model");

    const prompt = appendedSystemPrompt("/workspace", "  Be brief.  ", [
      "/workspace/inputs/t/a.txt",
    ]);
    expect(prompt).toContain("Your workspace is /workspace");
    expect(prompt).toContain("- /workspace/inputs/t/a.txt");
    expect(prompt).toMatch(/# Your instructions \(from your operator\)\n\nBe brief\.$/);
  });
});
