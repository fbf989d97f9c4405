// The tool-use loop: stream a reply from an Anthropic Messages-compatible API, pass its text on
// as it arrives, run the tools it asks for, send their results back, until it answers without
// asking for a tool.
import type Anthropic from "@anthropic-ai/sdk";
import type { TaskEvent } from "./contract.ts";
import { runTool, type ToolContext, toolDefinitions } from "./tools.ts";

export interface AgentRun {
  client: Anthropic;
  model: string;
  maxTokens: number;
  maxTurns: number;
  system: string;
  prompt: string;
  emit: (event: TaskEvent) => void;
  appendText: (delta: string) => void;
  tools: ToolContext;
}

export interface AgentOutcome {
  text: string;
  modelCalls: number;
  toolCalls: number;
  inputTokens: number;
  outputTokens: number;
}

/** Runs the loop to its final answer; throws on model errors, cancels and timeouts. */
export async function runAgent(run: AgentRun): Promise<AgentOutcome> {
  const { signal } = run.tools;
  const messages: Anthropic.MessageParam[] = [{ role: "user", content: run.prompt }];
  const outcome: AgentOutcome = {
    text: "",
    modelCalls: 0,
    toolCalls: 0,
    inputTokens: 0,
    outputTokens: 0,
  };
  for (let turn = 1; turn <= run.maxTurns; turn++) {
    run.emit({ type: "status", message: "calling the model" });
    const stream = run.client.messages.stream(
      {
        model: run.model,
        max_tokens: run.maxTokens,
        system: run.system,
        tools: toolDefinitions,
        messages,
      },
      { signal },
    );
    stream.on("text", (delta) => run.appendText(delta));
    const message = await stream.finalMessage();
    outcome.modelCalls += 1;
    const usage = message.usage;
    const inputTokens =
      (usage.input_tokens ?? 0) +
      (usage.cache_creation_input_tokens ?? 0) +
      (usage.cache_read_input_tokens ?? 0);
    outcome.inputTokens += inputTokens;
    outcome.outputTokens += usage.output_tokens;
    run.emit({
      type: "usage",
      model: message.model,
      inputTokens,
      outputTokens: usage.output_tokens,
    });
    messages.push({ role: "assistant", content: message.content });

    const calls = message.content.filter(
      (block): block is Anthropic.ToolUseBlock => block.type === "tool_use",
    );
    if (message.stop_reason === "refusal") throw new Error("the model declined to continue");
    if (message.stop_reason === "pause_turn") continue;
    if (message.stop_reason !== "tool_use" || calls.length === 0) {
      outcome.text = message.content
        .map((block) => (block.type === "text" ? block.text : ""))
        .join("");
      if (message.stop_reason === "max_tokens") {
        run.emit({ type: "status", message: `the answer was cut at ${run.maxTokens} tokens` });
      }
      return outcome;
    }

    const results: Anthropic.ToolResultBlockParam[] = [];
    for (const call of calls) {
      run.emit({ type: "tool_call", id: call.id, name: call.name, input: call.input });
      const result = await runTool(call.name, call.input, run.tools);
      outcome.toolCalls += 1;
      run.emit({
        type: "tool_result",
        id: call.id,
        output: result.output,
        isError: result.isError,
      });
      results.push({
        type: "tool_result",
        tool_use_id: call.id,
        content: result.output || "(no output)",
        is_error: result.isError,
      });
    }
    messages.push({ role: "user", content: results });
  }
  throw new Error(`stopped after ${run.maxTurns} model calls without a final answer`);
}

/** The system prompt: who the agent is, where it works, its instructions and its memory. */
export function systemPrompt(options: {
  workspace: string;
  instructions: string;
  memory: string | null;
  inputs: string[];
}): string {
  const { workspace } = options;
  const parts = [
    `You are an agent run by Corral, working alone inside a sandboxed Linux container. Complete the task you are given, using your tools, then answer with a short summary of what you did and found.

Your workspace is ${workspace}: it is your working directory, the file tools only work inside it, and it is kept between tasks. Everything else in the container may be reset.
The network is reachable only through an egress gateway (already set in HTTP_PROXY and HTTPS_PROXY, which curl, git and most tools honour); hosts outside your policy are refused with HTTP 403 and a "corral-gateway: denied" message. There is no DNS inside the container: do not use tools that resolve names themselves.
Memory: ${workspace}/MEMORY.md is given to you at the start of every task (below). Keep short, useful notes there (facts about this environment, decisions, where things are) with write_file or edit_file; keep it small.`,
  ];
  if (options.inputs.length > 0) {
    parts.push(
      `The task came with these input files:\n${options.inputs.map((file) => `- ${file}`).join("\n")}`,
    );
  }
  if (options.instructions.trim()) {
    parts.push(`# Your instructions (from your operator)\n\n${options.instructions.trim()}`);
  }
  parts.push(
    options.memory?.trim()
      ? `# ${workspace}/MEMORY.md\n\n${options.memory.trim()}`
      : `# ${workspace}/MEMORY.md\n\n(empty: no notes yet)`,
  );
  return parts.join("\n\n");
}
