import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { maskIn, SecretScrubber } from "./scrub.ts";

async function through(chunks: string[], values: string[]) {
  const out: string[] = [];
  const scrubber = Readable.from(chunks.map((c) => Buffer.from(c))).pipe(
    new SecretScrubber(values),
  );
  for await (const chunk of scrubber) out.push((chunk as Buffer).toString());
  return out;
}

describe("secret masking on the way back to an agent", () => {
  it("masks a value split across chunks, keeping lengths", async () => {
    const out = await through(["token=sk-ab", "cd-ef and again sk-abcd-ef!"], ["sk-abcd-ef"]);
    expect(out.join("")).toBe("token=********** and again **********!");
  });

  it("holds back only what could start a value, so streamed events are not delayed", async () => {
    const scrubber = new SecretScrubber(["sk-abcd-ef"]);
    const seen: string[] = [];
    scrubber.on("data", (chunk: Buffer) => seen.push(chunk.toString()));
    const write = async (text: string) => {
      scrubber.write(Buffer.from(text));
      await new Promise((resolve) => setImmediate(resolve));
      return seen.join("");
    };
    expect(await write("data: one\n\n")).toBe("data: one\n\n");
    expect(await write("data: two s")).toBe("data: one\n\ndata: two ");
    expect(await write("k-x\n\n")).toBe("data: one\n\ndata: two sk-x\n\n");
  });

  it("masks values in header text", () => {
    expect(maskIn("Bearer abc123 and abc123", ["abc123"])).toBe("Bearer ****** and ******");
  });
});
