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
  private tail = Buffer.alloc(0);

  constructor(values: string[]) {
    super();
    this.needles = values.filter(Boolean).map((v) => Buffer.from(v));
    this.keep = Math.max(0, ...this.needles.map((n) => n.length - 1));
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
    const joined = this.mask(Buffer.concat([this.tail, chunk]));
    // Hold back only an end that starts a value (it may continue in the next chunk), so a
    // streamed event is never kept waiting for the one after it.
    const cut = joined.length - this.partialMatchAtEnd(joined);
    this.tail = Buffer.from(joined.subarray(cut));
    if (cut > 0) this.push(joined.subarray(0, cut));
    done();
  }

  private partialMatchAtEnd(buffer: Buffer): number {
    for (let k = Math.min(this.keep, buffer.length); k > 0; k--) {
      const end = buffer.subarray(buffer.length - k);
      if (this.needles.some((n) => n.length > k && n.subarray(0, k).equals(end))) return k;
    }
    return 0;
  }

  override _flush(done: TransformCallback) {
    if (this.tail.length > 0) this.push(this.mask(this.tail));
    done();
  }
}
