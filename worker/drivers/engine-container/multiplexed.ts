// The engine's multiplexed stream format (logs and execs without a TTY): frames of an 8-byte
// header — stream type, three zero bytes, big-endian payload length — then the payload.

export interface Frame {
  stream: "stdout" | "stderr";
  payload: Buffer;
}

const headerBytes = 8;
const stderrType = 2;

/** Splits a complete multiplexed buffer into frames; a truncated last frame is dropped. */
export function parseFrames(buffer: Buffer): Frame[] {
  const frames: Frame[] = [];
  let offset = 0;
  while (offset + headerBytes <= buffer.length) {
    const type = buffer[offset];
    const length = buffer.readUInt32BE(offset + 4);
    const start = offset + headerBytes;
    if (start + length > buffer.length) break;
    frames.push({
      stream: type === stderrType ? "stderr" : "stdout",
      payload: buffer.subarray(start, start + length),
    });
    offset = start + length;
  }
  return frames;
}

/** Reads a stream to its end. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks);
}
