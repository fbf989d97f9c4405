// Reads that nearly every request repeats (the session behind a cookie, the key behind a
// bearer token, a caller's membership, an organisation's agents page), kept in this process's
// memory and dropped the moment the database says a row they came from changed.
//
// Correctness rests on three rules:
//   1. Database triggers (migration `*_change_feed`) send `corral_changes` with a tag such as
//      `session:<id>` for every row written, on commit; no code path can forget to.
//   2. The cache is used only while the LISTEN connection is up (notify.ts); when it drops,
//      everything is forgotten and reads go to the database until it is back.
//   3. A read that overlaps a change to one of its tags is answered but not kept, so a value
//      read just before a commit cannot outlive the notification that followed it.
// Entries also age out (a bound on any surprise), and checks that depend on the clock
// (expiry) run on every use, not at load time.
import { randomUUID } from "node:crypto";
import { channels, follow, keepListening, notificationsLive } from "./notify.ts";

export interface Loaded<T> {
  value: T;
  /** The rows the value came from, as the triggers name them (`user:<id>`, `org:<id>`…). */
  tags: string[];
}

interface Entry<T> {
  value: T;
  tags: string[];
  until: number;
}

const caches = new Set<ReadCache<unknown>>();
/** Tags changed while a read was under way, one set per read. */
const overlapping = new Set<Set<string>>();
const everything = "*";
let following = false;

function changed(tag: string) {
  const barrier = barriers.get(tag);
  if (barrier) return barrier();
  for (const tags of overlapping) tags.add(tag);
  for (const cache of caches) cache.drop(tag);
}

function lost() {
  for (const tags of overlapping) tags.add(everything);
  for (const cache of caches) cache.clear();
}

export class ReadCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly byTag = new Map<string, Set<string>>();

  constructor(
    private readonly options: { ttlMs: number; maxEntries: number },
    /** Only reads through this database are kept (the one whose changes we listen to). */
    private readonly cacheable: (db: unknown) => boolean,
  ) {
    caches.add(this as ReadCache<unknown>);
  }

  /**
   * The value for `key`, from memory if it is there and still current, else from `load`
   * (null: nothing to keep, e.g. no such session).
   */
  async read(db: unknown, key: string, load: () => Promise<Loaded<T> | null>): Promise<T | null> {
    if (!this.cacheable(db) || !live()) return (await load())?.value ?? null;
    const hit = this.entries.get(key);
    if (hit && hit.until > Date.now()) return hit.value;
    if (hit) this.remove(key);
    const seen = new Set<string>();
    overlapping.add(seen);
    try {
      const loaded = await load();
      if (!loaded) return null;
      const stale = seen.has(everything) || loaded.tags.some((tag) => seen.has(tag));
      if (!stale && live()) this.keep(key, loaded);
      return loaded.value;
    } finally {
      overlapping.delete(seen);
    }
  }

  drop(tag: string) {
    for (const key of this.byTag.get(tag) ?? []) this.remove(key);
  }

  clear() {
    this.entries.clear();
    this.byTag.clear();
  }

  get size() {
    return this.entries.size;
  }

  private keep(key: string, loaded: Loaded<T>) {
    this.remove(key);
    // A Map iterates in insertion order: the first key is the oldest.
    if (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.remove(oldest);
    }
    this.entries.set(key, { ...loaded, until: Date.now() + this.options.ttlMs });
    for (const tag of loaded.tags) {
      const keys = this.byTag.get(tag) ?? new Set();
      this.byTag.set(tag, keys);
      keys.add(key);
    }
  }

  private remove(key: string) {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    for (const tag of entry.tags) {
      const keys = this.byTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.byTag.delete(tag);
    }
  }
}

function live(): boolean {
  if (!following) {
    following = true;
    follow(channels.changes, changed, lost);
  }
  keepListening();
  return notificationsLive();
}

const barriers = new Map<string, () => void>();

/**
 * Resolves once every change committed before the call has reached this process's caches:
 * a notification sent now arrives after theirs (a listener hears them in commit order). A
 * mutation waits for it before answering, so the caller's next request here never sees the
 * world before its own write; other processes hear the same changes within milliseconds.
 */
export async function changesSettled(db: {
  $executeRaw: (query: TemplateStringsArray, ...values: unknown[]) => Promise<number>;
}): Promise<void> {
  if (!following || !notificationsLive()) return;
  const tag = `barrier:${randomUUID()}`;
  const arrived = new Promise<void>((resolve) => {
    const timer = setTimeout(done, 2000);
    function done() {
      clearTimeout(timer);
      barriers.delete(tag);
      resolve();
    }
    barriers.set(tag, done);
  });
  await db.$executeRaw`SELECT pg_notify('corral_changes', ${tag})`;
  await arrived;
}
