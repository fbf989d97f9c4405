// The demo model through the official Anthropic SDK: plain and streamed replies, a tool-use
// round trip, token counting, and the API's error shape without a key.
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoModel, start } from "./demo-model.ts";
import { demoReply } from "./demo-model-script.ts";

let model: DemoModel;
let client: Anthropic;

const bash = {
  name: "bash",
  description: "Run a shell command.",
  input_schema: {
    type: "object" as const,
    properties: { command: { type: "string" } },
    required: ["command"],
  },
};

beforeAll(async () => {
  model = await start();
  client = new Anthropic({ apiKey: "demo-key", baseURL: model.url, maxRetries: 0 });
});

afterAll(async () => {
  await model.close();
});

describe("demo model", () => {
  it("answers in text when no tools are offered, echoing the model it was asked for", async () => {
    const message = await client.messages.create({
      model: "claude-haiku-4-5",
      max_tokens: 256,
      messages: [{ role: "user", content: "Say hello." }],
    });
    expect(message).toMatchObject({
      type: "message",
      role: "assistant",
      model: "claude-haiku-4-5",
      stop_reason: "end_turn",
    });
    expect(message.id).toMatch(/^msg_demo_/);
    expect(message.content).toEqual([
      { type: "text", text: expect.stringContaining("This is the demo model") },
    ]);
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);

    const last = model.seen.at(-1);
    expect(last).toMatchObject({ method: "POST", path: "/v1/messages" });
    expect(last?.headers.authorization).toBe("Bearer demo-key");
    expect(last?.body).toMatchObject({ max_tokens: 256 });
  });

  it("streams a tool call, then a final answer once the tool result comes back", async () => {
    const prompt = "Please do this.\nwrite /tmp/demo-x.txt: hi there";
    const deltas: Array<{ at: number; text: string }> = [];
    const events: string[] = [];
    const stream = client.messages.stream({
      model: "corral-demo-model",
      max_tokens: 1024,
      tools: [bash],
      messages: [{ role: "user", content: prompt }],
    });
    stream.on("streamEvent", (event) => events.push(event.type));
    stream.on("text", (text) => deltas.push({ at: performance.now(), text }));
    const first = await stream.finalMessage();

    expect(events[0]).toBe("message_start");
    expect(events).toContain("content_block_delta");
    expect(events.slice(-2)).toEqual(["message_delta", "message_stop"]);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((delta) => delta.text).join("")).toBe("I'll do that in the workspace.");
    const lastDelta = deltas.at(-1);
    const firstDelta = deltas[0];
    if (!lastDelta || !firstDelta) throw new Error("no deltas");
    expect(lastDelta.at - firstDelta.at).toBeGreaterThan(10);

    expect(first.stop_reason).toBe("tool_use");
    const call = first.content.find((block) => block.type === "tool_use");
    expect(call).toMatchObject({
      name: "bash",
      input: { command: "printf '%s\\n' 'hi there' > '/tmp/demo-x.txt'" },
    });
    expect(call?.id).toMatch(/^toolu_demo_/);
    expect(first.usage.output_tokens).toBeGreaterThan(1);

    const second = await client.messages
      .stream({
        model: "corral-demo-model",
        max_tokens: 1024,
        tools: [bash],
        messages: [
          { role: "user", content: prompt },
          { role: "assistant", content: first.content },
          {
            role: "user",
            content: [{ type: "tool_result", tool_use_id: call?.id ?? "", content: "" }],
          },
        ],
      })
      .finalMessage();
    expect(second.stop_reason).toBe("end_turn");
    expect(second.content).toEqual([{ type: "text", text: "Done: I wrote /tmp/demo-x.txt." }]);
  });

  it("counts tokens", async () => {
    const count = await client.messages.countTokens({
      model: "corral-demo-model",
      messages: [{ role: "user", content: "How many tokens is this?" }],
    });
    expect(count.input_tokens).toBeGreaterThan(0);
  });

  it("refuses a request without a key with the API's 401 error", async () => {
    const keyless = new Anthropic({
      apiKey: null,
      baseURL: model.url,
      maxRetries: 0,
      defaultHeaders: { authorization: null },
    });
    const error = await keyless.messages
      .create({
        model: "corral-demo-model",
        max_tokens: 16,
        messages: [{ role: "user", content: "hi" }],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as InstanceType<typeof Anthropic.AuthenticationError>).status).toBe(401);
    expect((error as InstanceType<typeof Anthropic.AuthenticationError>).error).toEqual({
      type: "error",
      error: { type: "authentication_error", message: "x-api-key header is required" },
    });
  });
});

describe("demo model script", () => {
  const ask = (prompt: string, tools: string[]) =>
    demoReply({
      messages: [{ role: "user", content: prompt }],
      tools: tools.map((name) => ({ name })),
    });

  it("writes hello.txt with bash by default", () => {
    expect(ask("anything", ["bash", "read_file"]).blocks[1]).toEqual({
      type: "tool_use",
      name: "bash",
      input: {
        command: "echo 'Hello from the demo model' > /workspace/hello.txt && ls -l /workspace",
      },
    });
  });

  it("uses Claude Code's tools when those are offered", () => {
    expect(ask("anything", ["Bash", "Write"]).blocks[1]).toMatchObject({
      name: "Write",
      input: { file_path: "/workspace/hello.txt", content: "Hello from the demo model\n" },
    });
    expect(ask("sleep please", ["Bash", "Write"]).blocks[1]).toMatchObject({
      name: "Bash",
      input: { command: "sleep 60", description: expect.any(String) },
    });
  });

  it("fetches a URL and quotes the start of the result", () => {
    expect(ask("fetch https://example.com/a.txt.", ["fetch_url"]).blocks[1]).toEqual({
      type: "tool_use",
      name: "fetch_url",
      input: { url: "https://example.com/a.txt" },
    });
    const done = demoReply({
      tools: [{ name: "fetch_url" }],
      messages: [
        { role: "user", content: "fetch https://example.com/a.txt" },
        { role: "assistant", content: [] },
        {
          role: "user",
          content: [{ type: "tool_result", content: [{ type: "text", text: "x".repeat(300) }] }],
        },
      ],
    });
    expect(done).toEqual({
      stopReason: "end_turn",
      blocks: [
        {
          type: "text",
          text: `Fetched https://example.com/a.txt. It starts: "${"x".repeat(100)}"`,
        },
      ],
    });
  });
});
