// Keeps secret values out of what flows back to an agent: an upstream that echoes a request
// (headers, a debug endpoint) must not hand the agent the key the gateway added. Each value
// is masked with as many asterisks, so lengths (and Content-Length) stay true, including when
// a value is split across chunks.
import { Transform, type TransformCallback } from "node:stream";

export function maskIn(text: string, values: string[]): string {
  let out = text;
  for (const value of values) if (value) out = out.split(value).join("*".repeat(value.length));
  return out;
}

export class SecretScrubber extends Transform {
  private readonly needles: Buffer[];
  private readonly keep: number;
  private readonly firstBytes: number[];
  private tail = Buffer.alloc(0);

  constructor(values: string[]) {
    super();
    this.needles = values.filter(Boolean).map((v) => Buffer.from(v));
    this.keep = Math.max(0, ...this.needles.map((n) => n.length - 1));
    this.firstBytes = [...new Set(this.needles.map((n) => n[0] as number))];
  }

  private mask(buffer: Buffer): Buffer {
    for (const needle of this.needles) {
      let at = buffer.indexOf(needle);
      while (at !== -1) {
        buffer.fill(0x2a, at, at + needle.length);
        at = buffer.indexOf(needle, at + needle.length);
      }
    }
    return buffer;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
    const joined = this.mask(this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk);
    // Hold back only an end that starts a value (it may continue in the next chunk), so a
    // streamed event is never kept waiting for the one after it.
    const cut = joined.length - this.partialMatchAtEnd(joined);
    this.tail = Buffer.from(joined.subarray(cut));
    if (cut > 0) this.push(joined.subarray(0, cut));
    done();
  }

  /** How many bytes at the end of `buffer` begin some value (0 when none can). */
  private partialMatchAtEnd(buffer: Buffer): number {
    const from = Math.max(0, buffer.length - this.keep);
    let longest = 0;
    for (const first of this.firstBytes) {
      // Candidates start where a value's first byte occurs in the last keep bytes.
      for (let at = buffer.indexOf(first, from); at !== -1; at = buffer.indexOf(first, at + 1)) {
        const end = buffer.subarray(at);
        if (
          this.needles.some((n) => n.length > end.length && n.subarray(0, end.length).equals(end))
        ) {
          longest = Math.max(longest, end.length);
          break;
        }
      }
    }
    return longest;
  }

  override _flush(done: TransformCallback) {
    if (this.tail.length > 0) this.push(this.mask(this.tail));
    done();
  }
}
