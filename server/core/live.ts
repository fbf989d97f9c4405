// Live pages over server-sent events: a subscription that re-reads `load` every `everyMs`
// and sends it only when it changed. Cheap for the reader, correct whatever wrote the change
// (the API, a worker's report, another process), and it stops with the connection.
export async function* whenChanged<T>(
  load: () => Promise<T>,
  signal: AbortSignal | undefined,
  everyMs = 1000,
): AsyncGenerator<T> {
  let last = "";
  while (!signal?.aborted) {
    const data = await load();
    const key = JSON.stringify(data, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    if (key !== last) {
      last = key;
      yield data;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, everyMs);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}
