import { describe, expect, it } from "vitest";
import { foldTranscript, toolSummary } from "./transcript.ts";

const at = "2026-12-01T10:00:00.000Z";
const event = (seq: number, type: string, data: Record<string, unknown>) => ({
  seq,
  type,
  at,
  data,
});

describe("foldTranscript", () => {
  it("joins streamed text, pairs tool calls with their results and keeps the order of seq", () => {
    const items = foldTranscript([
      event(5, "tool_result", { id: "t1", output: "hello.txt", isError: false }),
      event(1, "status", { message: "started" }),
      event(3, "text", { text: "do that." }),
      event(2, "text", { text: "I'll " }),
      event(4, "tool_call", { id: "t1", name: "bash", input: { command: "ls" } }),
      event(6, "text", { text: "Done" }),
      event(7, "usage", { model: "m", inputTokens: 10, outputTokens: 2 }),
      event(8, "result", { text: "Done" }),
    ]);
    // The final answer streamed as text is shown once, as the result.
    expect(items.map((i) => i.kind)).toEqual(["status", "text", "tool", "usage", "result"]);
    expect(items[1]).toMatchObject({ text: "I'll do that." });
    expect(items[2]).toMatchObject({
      name: "bash",
      result: { output: "hello.txt", isError: false },
    });
  });

  it("shows a streamed answer once, as the result", () => {
    const items = foldTranscript([
      event(1, "text", { text: "All " }),
      event(2, "text", { text: "done." }),
      event(3, "result", { text: "All done." }),
    ]);
    expect(items).toMatchObject([{ kind: "result", text: "All done." }]);
  });

  it("keeps a result whose call it never saw, marks errors and skips unknown events", () => {
    const items = foldTranscript([
      event(1, "tool_result", { id: "x", output: "boom", isError: true }),
      event(2, "mystery", {}),
      event(3, "error", { message: "cancelled", cancelled: true }),
    ]);
    expect(items).toMatchObject([
      { kind: "tool", result: { output: "boom", isError: true } },
      { kind: "error", message: "cancelled", cancelled: true },
    ]);
  });
});

describe("toolSummary", () => {
  it("names what a call does", () => {
    expect(toolSummary({ command: "sleep 60" })).toBe("sleep 60");
    expect(toolSummary({ path: "/workspace/a.txt", content: "x" })).toBe("/workspace/a.txt");
    expect(toolSummary({ n: 1 })).toBe('{"n":1}');
    expect(toolSummary(undefined)).toBe("");
  });
});
