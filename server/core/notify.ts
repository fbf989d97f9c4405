// Waking waiters the moment something changes, across processes: a change sends
// `pg_notify(channel, key)` in its own transaction (delivered on commit), and one LISTEN
// connection per process wakes whoever waits on that channel and key (a worker's long-poll
// for its host, an agent asking for its next task, a page following a task's transcript).
// Waiters always pass a timeout: polling stays as a slow backstop if the connection drops.
import pg from "pg";
import { webConfig } from "./config.ts";

export const channels = {
  /** key: host id — what a host should run changed. */
  desired: "corral_desired",
  /** key: agent id — its task queue changed (a task queued, a cancel requested). */
  tasks: "corral_tasks",
  /** key: task id — its transcript or status changed. */
  taskEvents: "corral_task_events",
} as const;

export type Channel = (typeof channels)[keyof typeof channels];

type Waiter = () => void;
const waiters = new Map<string, Set<Waiter>>();
let listening: Promise<pg.Client> | null = null;
const slot = (channel: string, key: string) => `${channel}\0${key}`;

function listen(): Promise<pg.Client> {
  listening ??= (async () => {
    const client = new pg.Client({ connectionString: webConfig().DATABASE_URL });
    client.on("notification", (n) => {
      for (const wake of waiters.get(slot(n.channel, n.payload ?? "")) ?? []) wake();
    });
    client.on("error", () => {
      // Reconnect on the next wait; waiters fall back to their timeouts meanwhile.
      listening = null;
      client.end().catch(() => undefined);
    });
    await client.connect();
    for (const channel of Object.values(channels)) await client.query(`LISTEN ${channel}`);
    return client;
  })().catch((error) => {
    listening = null;
    throw error;
  });
  return listening;
}

/** Resolves when `key` on `channel` may have changed, after `ms`, or on abort. */
export async function waitFor(channel: Channel, key: string, ms: number, signal?: AbortSignal) {
  await listen().catch(() => undefined);
  if (signal?.aborted) return;
  await new Promise<void>((resolve) => {
    const name = slot(channel, key);
    const set = waiters.get(name) ?? new Set();
    waiters.set(name, set);
    const done = () => {
      clearTimeout(timer);
      set.delete(done);
      if (set.size === 0) waiters.delete(name);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    set.add(done);
    signal?.addEventListener("abort", done, { once: true });
  });
}
