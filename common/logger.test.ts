import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, logFormat, textLine } from "./logger.ts";

function capture(format: "json" | "text", mixin?: () => Record<string, unknown>) {
  const out = new PassThrough();
  let text = "";
  out.on("data", (chunk) => {
    text += chunk;
  });
  const logger = createLogger("corral-test", { destination: out, format, mixin });
  return { logger, lines: () => text.split("\n").filter(Boolean) };
}

describe("logs", () => {
  it("are one JSON object per line with time, level, name, msg and the line's fields", () => {
    const { logger, lines } = capture("json", () => ({ requestId: "req-1" }));
    logger.info({ status: 200 }, "request");
    logger.warn("disk nearly full");
    const [first, second] = lines().map((line) => JSON.parse(line));
    expect(first).toMatchObject({
      level: "info",
      name: "corral-test",
      msg: "request",
      status: 200,
      requestId: "req-1",
    });
    expect(new Date(first.time).toISOString()).toBe(first.time);
    expect(second).toMatchObject({ level: "warn", msg: "disk nearly full" });
  });

  it("show an error as its one-line description: no stack, never [object Object]", () => {
    const { logger, lines } = capture("json");
    const error = new Error("connect ECONNREFUSED 127.0.0.1:5432");
    logger.error({ err: error, detail: { nested: true } }, "database unreachable");
    const [line] = lines();
    expect(line).not.toContain("[object Object]");
    expect(line).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
    expect(JSON.parse(line ?? "")).toMatchObject({
      err: expect.stringContaining("ECONNREFUSED"),
      detail: { nested: true },
    });
  });

  it("read as one plain line in text format, the level named only when it matters", () => {
    const { logger, lines } = capture("text");
    logger.info("running: webhook delivery");
    logger.warn({ host: "w1", note: "two words" }, "host lost");
    expect(lines()).toEqual([
      "corral-test: running: webhook delivery",
      'corral-test: warn: host lost host=w1 note="two words"',
    ]);
    expect(textLine('{"level":"error","name":"web","msg":"x","n":{"a":1}}')).toBe(
      'web: error: x n={"a":1}\n',
    );
  });

  it("are JSON unless asked for text or written to a terminal", () => {
    const pipe = { isTTY: false };
    const tty = { isTTY: true };
    expect(logFormat({}, pipe)).toBe("json");
    expect(logFormat({}, tty)).toBe("text");
    expect(logFormat({ CORRAL_LOG_FORMAT: "json" }, tty)).toBe("json");
    expect(logFormat({ CORRAL_LOG_FORMAT: "text" }, pipe)).toBe("text");
  });
});
