// Waking long-polling workers the moment their desired state changes: bumpHosts sends a
// NOTIFY in the changing transaction (delivered on commit), and one LISTEN connection per web
// process wakes the requests waiting for that host. Polling stays as a slow backstop in case
// the listening connection drops.
import pg from "pg";
import { webConfig } from "../core/config.ts";

export const desiredChannel = "corral_desired";

type Waiter = () => void;
const waiters = new Map<string, Set<Waiter>>();
let listening: Promise<pg.Client> | null = null;

function listen(): Promise<pg.Client> {
  listening ??= (async () => {
    const client = new pg.Client({ connectionString: webConfig().DATABASE_URL });
    client.on("notification", (n) => {
      for (const wake of waiters.get(n.payload ?? "") ?? []) wake();
    });
    client.on("error", () => {
      // Reconnect on the next wait; waiting requests fall back to polling meanwhile.
      listening = null;
      client.end().catch(() => undefined);
    });
    await client.connect();
    await client.query(`LISTEN ${desiredChannel}`);
    return client;
  })().catch((error) => {
    listening = null;
    throw error;
  });
  return listening;
}

/** Resolves when `hostId`'s desired state may have changed, or after `ms`. */
export async function waitForDesiredChange(hostId: string, ms: number, signal?: AbortSignal) {
  await listen().catch(() => undefined);
  await new Promise<void>((resolve) => {
    const set = waiters.get(hostId) ?? new Set();
    waiters.set(hostId, set);
    const done = () => {
      clearTimeout(timer);
      set.delete(done);
      if (set.size === 0) waiters.delete(hostId);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    set.add(done);
    signal?.addEventListener("abort", done, { once: true });
  });
}
