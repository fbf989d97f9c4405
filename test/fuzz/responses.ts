// What every answer must be, whatever was asked: no 5xx, nothing of the inside (stack
// frames, file paths, database or library messages), and a refusal that says what was
// wrong in words.

/** Text that never belongs in any answer: the server's own code. */
const code: [string, RegExp][] = [
  ["a stack frame", /(^|\s)at\s+(async\s+)?\S+\s+\(?\S+:\d+:\d+\)?/m],
  ["a source path", /[\w./-]+\.(ts|tsx|js|mjs|cjs):\d+/],
  ["node_modules", /node_modules/],
];

/** Text that only comes from the inside of the server: never in a refusal. */
const internals: [string, RegExp][] = [
  ...code,
  ["an absolute path", /\/(work|home|usr|var|tmp|opt|app|srv)\/[\w.-]+\//],
  ["Prisma", /prisma/i],
  ["a Prisma error code", /\bP[1-5]\d{3}\b/],
  [
    "PostgreSQL",
    /\brelation "|violates|duplicate key|invalid byte sequence|syntax error at|\bSQLSTATE\b|out of range for type|\bpg_\w+/i,
  ],
  [
    "a JavaScript error",
    /\b(Type|Reference|Range|Syntax|Internal)Error\b|is not a function|Cannot read propert|undefined is not|Maximum call stack/,
  ],
  ["a system error", /\bE(CONN\w+|NOTFOUND|ADDRINUSE|PIPE|ACCES)\b/],
  ["a Next.js internal", /Invariant:|NEXT_\w+/],
];

export interface Answer {
  status: number;
  contentType: string;
  body: string;
  /** The handler threw instead of answering (Next then sends a bare 500), or its body did. */
  thrown?: string;
}

/** Reads a response; a stream (server-sent events) is read until `streamMs` pass, then let go. */
export async function readAnswer(response: Response, streamMs = 300): Promise<Answer> {
  const contentType = response.headers.get("content-type") ?? "";
  let body = "";
  if (response.body && contentType.includes("text/event-stream")) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const until = Date.now() + streamMs;
    for (;;) {
      const left = until - Date.now();
      if (left <= 0) break;
      let timer: NodeJS.Timeout | undefined;
      const next = await Promise.race([
        reader.read(),
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), left);
        }),
      ]);
      clearTimeout(timer);
      if (!next || next.done) break;
      body += decoder.decode(next.value, { stream: true });
      // An error ends a subscription; a first message shows it got past its input.
      if (/event: serialized-error|(^|\n\n)(id: [^\n]*\n)?data: /.test(body)) break;
    }
    await reader.cancel().catch(() => undefined);
  } else {
    body = await response.text();
  }
  return { status: response.status, contentType, body };
}

/** The words a refusal gives, from each of the shapes our handlers answer in. */
export function messageOf(answer: Answer): string | null {
  const fromJson = (value: unknown): string | null => {
    if (typeof value === "string") return value;
    if (Array.isArray(value))
      return fromJson(value.find((v) => v && typeof v === "object" && "error" in v) ?? value[0]);
    if (!value || typeof value !== "object") return null;
    const record = value as Record<string, unknown>;
    if ("error" in record) return fromJson(record.error);
    if ("json" in record) return fromJson(record.json);
    return typeof record.message === "string" ? record.message : null;
  };
  try {
    return fromJson(JSON.parse(answer.body));
  } catch {
    return answer.contentType.startsWith("text/plain") || answer.contentType.startsWith("text/html")
      ? answer.body
      : null;
  }
}

/** Errors carried inside a 200 stream of server-sent events (a subscription's refusal). */
function streamedErrors(answer: Answer): { status: number; message: string | null }[] {
  if (!answer.contentType.includes("text/event-stream")) return [];
  const errors: { status: number; message: string | null }[] = [];
  const events = answer.body.split("\n\n");
  for (const event of events) {
    if (!event.includes("event: serialized-error")) continue;
    const data = event.split("\n").find((line) => line.startsWith("data: "));
    if (!data) continue;
    const error = JSON.parse(data.slice(6)) as {
      json?: { message?: string; data?: { httpStatus?: number } };
    };
    errors.push({
      status: error.json?.data?.httpStatus ?? 500,
      message: error.json?.message ?? null,
    });
  }
  return errors;
}

/** Whatever is wrong with `answer`, in words; empty when it is fine. `sent` is what was asked. */
export function problemsWith(answer: Answer, sent: string): string[] {
  const problems: string[] = [];
  if (answer.thrown && answer.status < 500) problems.push("broke off in the middle of the answer");
  const refusals = [
    ...(answer.status >= 400 ? [{ status: answer.status, message: messageOf(answer) }] : []),
    ...streamedErrors(answer),
  ];
  for (const { status, message } of refusals) {
    if (status >= 500) problems.push(`answered ${status}`);
    if (!message || !/[a-z]{2}/i.test(message) || message.trim().length < 4)
      problems.push(`refused (${status}) without saying why`);
  }
  // A success carries stored data, which may quote anything once sent; only code is out.
  for (const [what, pattern] of refusals.length > 0 ? internals : code) {
    const found = pattern.exec(answer.body);
    // Text the caller sent may come back quoted (a name, a slug); that is not a leak.
    if (found && !sent.includes(found[0])) problems.push(`shows ${what}: "${found[0]}"`);
  }
  return problems;
}

/** A readable account of a failed case, short enough for a test report. */
export function describeCase(parts: Record<string, unknown>, answer: Answer): string {
  const clip = (s: string, n: number) =>
    s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s;
  const lines = Object.entries(parts).map(([k, v]) => `  ${k}: ${clip(String(v), 300)}`);
  const thrown = answer.thrown ? [`  thrown: ${clip(answer.thrown, 1500)}`] : [];
  return [
    ...lines,
    `  answer: ${answer.status} ${answer.contentType}`,
    `  body: ${clip(answer.body, 600)}`,
    ...thrown,
  ].join("\n");
}
