// Engine answers that stream JSON progress (pull, import): they fail inside the stream, with
// an `error` field, rather than by HTTP status.
import type Docker from "dockerode";

/** Waits for a progress stream to end; rejects with the error the engine reports in it. */
export function followProgress(engine: Docker, stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    engine.modem.followProgress(stream, (failure: Error | null, events?: { error?: string }[]) => {
      const reported = events?.find((event) => event.error)?.error;
      if (failure) reject(failure);
      else if (reported) reject(new Error(reported));
      else resolve();
    });
  });
}
