// A task's transcript events (as the agent sent them, numbered) folded into what a person
// reads: the assistant's text in paragraphs (streamed chunks joined), each tool call with its
// result, status lines, usage, and the final result or error.

export interface TranscriptEvent {
  seq: number;
  type: string;
  at: Date | string;
  data: Record<string, unknown>;
}

export type TranscriptItem =
  | { kind: "text"; key: string; text: string }
  | { kind: "status"; key: string; message: string; at: Date | string }
  | {
      kind: "tool";
      key: string;
      id: string;
      name: string;
      input: unknown;
      result: { output: string; isError: boolean } | null;
    }
  | { kind: "usage"; key: string; model: string; inputTokens: number; outputTokens: number }
  | { kind: "result"; key: string; text: string }
  | { kind: "error"; key: string; message: string; cancelled: boolean };

const str = (v: unknown) => (typeof v === "string" ? v : v === undefined ? "" : String(v));
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/** Events in order of `seq`, folded; events of unknown types are skipped. */
export function foldTranscript(events: TranscriptEvent[]): TranscriptItem[] {
  const items: TranscriptItem[] = [];
  const tools = new Map<string, Extract<TranscriptItem, { kind: "tool" }>>();
  for (const e of [...events].sort((a, b) => a.seq - b.seq)) {
    const key = String(e.seq);
    const d = e.data;
    switch (e.type) {
      case "text": {
        const last = items.at(-1);
        if (last?.kind === "text") last.text += str(d.text);
        else items.push({ kind: "text", key, text: str(d.text) });
        break;
      }
      case "status":
        items.push({ kind: "status", key, message: str(d.message), at: e.at });
        break;
      case "tool_call": {
        const item = {
          kind: "tool" as const,
          key,
          id: str(d.id),
          name: str(d.name),
          input: d.input,
          result: null,
        };
        tools.set(item.id, item);
        items.push(item);
        break;
      }
      case "tool_result": {
        const result = { output: str(d.output), isError: d.isError === true };
        const call = tools.get(str(d.id));
        if (call) call.result = result;
        else
          items.push({ kind: "tool", key, id: str(d.id), name: "tool", input: undefined, result });
        break;
      }
      case "usage":
        items.push({
          kind: "usage",
          key,
          model: str(d.model),
          inputTokens: num(d.inputTokens),
          outputTokens: num(d.outputTokens),
        });
        break;
      case "result": {
        const text = str(d.text);
        // The answer usually streams in as text first (then usage and status lines): it is
        // shown once, as the result.
        let i = items.length - 1;
        while (i >= 0 && (items[i]?.kind === "usage" || items[i]?.kind === "status")) i--;
        const answer = items[i];
        if (answer?.kind === "text" && answer.text.trim() === text.trim()) items.splice(i, 1);
        items.push({ kind: "result", key, text });
        break;
      }
      case "error":
        items.push({
          kind: "error",
          key,
          message: str(d.message),
          cancelled: d.cancelled === true,
        });
        break;
    }
  }
  return items;
}

/** One line saying what a tool call does: a shell command, a path, a URL, else its input. */
export function toolSummary(input: unknown): string {
  if (input === undefined || input === null) return "";
  if (typeof input !== "object") return String(input);
  const o = input as Record<string, unknown>;
  for (const key of ["command", "file_path", "path", "url", "pattern", "query"]) {
    if (typeof o[key] === "string") return o[key] as string;
  }
  return JSON.stringify(input);
}

/** The input as readable text: strings as they are, anything else as indented JSON. */
export function formatInput(input: unknown): string {
  if (typeof input === "string") return input;
  try {
    return JSON.stringify(input, null, 2) ?? "";
  } catch {
    return String(input);
  }
}
