// Waking waiters the moment something changes, across processes: a change sends
// `pg_notify(channel, key)` in its own transaction (delivered on commit), and one LISTEN
// connection per process wakes whoever waits on that channel and key (a worker's long-poll
// for its host, an agent asking for its next task, a page following a task's transcript).
// Waiters listen before they read (listenFor), so a change between the read and the wait is
// not missed, and always pass a timeout: polling stays a slow backstop if the connection drops.
import pg from "pg";
import { webConfig } from "./config.ts";

export const channels = {
  /** key: host id — what a host should run changed. */
  desired: "corral_desired",
  /** key: agent id — its task queue changed (a task queued, a cancel requested). */
  tasks: "corral_tasks",
  /** key: task id — its transcript or status changed. */
  taskEvents: "corral_task_events",
  /**
   * key: a tag such as `session:<id>` — a row that in-memory reads came from changed. Sent by
   * database triggers (migration `*_change_feed`), so no code path can forget it; read by
   * read-cache.ts.
   */
  changes: "corral_changes",
} as const;

export type Channel = (typeof channels)[keyof typeof channels];

type Waiter = () => void;
const waiters = new Map<string, Set<Waiter>>();
/** Whoever follows a whole channel (every key), and whoever must hear that the feed broke. */
const followers = new Map<string, Set<(key: string) => void>>();
const feedLost = new Set<() => void>();
let listening: Promise<pg.Client> | null = null;
/** LISTEN is in place now: waiters may trust notifications instead of polling. */
let connected = false;
const slot = (channel: string, key: string) => `${channel}\0${key}`;

function listen(): Promise<pg.Client> {
  listening ??= (async () => {
    const client = new pg.Client({ connectionString: webConfig().DATABASE_URL });
    client.on("notification", (n) => {
      for (const follow of followers.get(n.channel) ?? []) follow(n.payload ?? "");
      for (const wake of waiters.get(slot(n.channel, n.payload ?? "")) ?? []) wake();
    });
    client.on("error", () => {
      // Reconnect on the next wait. Notifications may have been missed: every waiter looks
      // again now, and polls (notificationsLive() is false) until a wait reconnects.
      connected = false;
      listening = null;
      client.end().catch(() => undefined);
      for (const lost of feedLost) lost();
      for (const set of waiters.values()) for (const wake of set) wake();
    });
    await client.connect();
    for (const channel of Object.values(channels)) await client.query(`LISTEN ${channel}`);
    connected = true;
    return client;
  })().catch((error) => {
    listening = null;
    throw error;
  });
  return listening;
}

/** Whether notifications arrive now; while they do not, waiters should poll as a backstop. */
export const notificationsLive = () => connected;

let lastAttempt = 0;
/**
 * Connects the LISTEN connection if it is not (at most one attempt a second, so a database
 * that refuses it is not asked on every request). Use notificationsLive() to see if it is.
 */
export function keepListening(): void {
  if (connected || listening || Date.now() - lastAttempt < 1000) return;
  lastAttempt = Date.now();
  listen().catch(() => undefined);
}

/**
 * Calls `onKey` with the key of every notification on `channel`, and `onLost` whenever the
 * connection breaks (notifications may have been missed until it is back).
 */
export function follow(channel: Channel, onKey: (key: string) => void, onLost: () => void) {
  const set = followers.get(channel) ?? new Set();
  followers.set(channel, set);
  set.add(onKey);
  feedLost.add(onLost);
  keepListening();
}

/**
 * Listens on `key` from now on, so a change that lands between a read and the wait that
 * follows it is not missed: read, then `wait`; a notification since `listen` (or since the
 * last wait) ends the wait at once. Close it when done.
 */
export async function listenFor(channel: Channel, key: string) {
  await listen().catch(() => undefined);
  const name = slot(channel, key);
  let pending = false;
  let wake: (() => void) | null = null;
  const onNotify = () => {
    pending = true;
    wake?.();
  };
  const set = waiters.get(name) ?? new Set();
  waiters.set(name, set);
  set.add(onNotify);
  return {
    /** Resolves on a notification (also one already latched), after `ms`, or on abort. */
    wait(ms: number, signal?: AbortSignal): Promise<void> {
      if (pending || signal?.aborted) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wake = null;
          pending = false;
          signal?.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        wake = done;
        signal?.addEventListener("abort", done, { once: true });
      });
    },
    close() {
      set.delete(onNotify);
      if (set.size === 0) waiters.delete(name);
      wake?.();
    },
  };
}
