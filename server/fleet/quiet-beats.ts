// Heartbeats that change nothing placement trusts, of every host that beat meanwhile, written
// in one statement. At a thousand hosts beating every two seconds, a statement each kept the
// database pool so busy that reports waited out their turn and failed, and late beats made
// live hosts look lost (#15). A beat waits for the statement that carries it, so a host is
// answered only once its beat is stored, as before.
import type { HeartbeatRequest } from "../../common/worker-protocol.ts";
import type { Db } from "../db/client.ts";

export interface QuietBeat {
  hostId: string;
  beat: HeartbeatRequest;
  /** The capacity placement trusts, as stored: the beat applies only if it still is. */
  capacityMillis: number;
  capacityMemoryMb: number;
}

interface Waiting {
  quiet: QuietBeat;
  at: Date;
  settle: (applied: boolean) => void;
  fail: (error: unknown) => void;
}

/** Beats written by one statement at most; more wait for the next. */
const mostAtOnce = 1000;
/** Prisma's DateTime columns: UTC without a zone. */
const timestamp = (at: Date) => at.toISOString().replace("Z", "");

export class QuietBeats {
  private waiting: Waiting[] = [];
  private writing = false;

  constructor(private readonly db: Db) {}

  /**
   * Stores the beat with the others waiting; false when the host's labels or capacity are no
   * longer what the beat assumed, or its row is locked by a transaction under way (the
   * caller then takes the audited path, which waits its turn).
   */
  write(quiet: QuietBeat): Promise<boolean> {
    return new Promise((settle, fail) => {
      this.waiting.push({ quiet, at: new Date(), settle, fail });
      // The first beat starts a write on the next turn; beats arriving while one is under
      // way go together in the next, so nothing waits on a timer.
      if (!this.writing) {
        this.writing = true;
        setImmediate(() => void this.writeWaiting());
      }
    });
  }

  private async writeWaiting() {
    const batch = this.waiting.splice(0, mostAtOnce);
    // A host's latest beat stands for its earlier ones in the same batch.
    const latest = new Map(batch.map((w) => [w.quiet.hostId, w]));
    const beats = [...latest.values()];
    try {
      const applied = await this.update(beats);
      for (const w of batch) w.settle(applied.has(w.quiet.hostId));
    } catch (error) {
      for (const w of batch) w.fail(error);
    } finally {
      this.writing = this.waiting.length > 0;
      if (this.writing) setImmediate(() => void this.writeWaiting());
    }
  }

  /**
   * Writes the beats whose host rows are free and still as the beats assumed; the rest are
   * left to the caller. A row locked by a transaction (the fleet controller marking hosts lost
   * or placing sandboxes) is skipped, not waited for: a statement over many rows that waits
   * can deadlock with one that locks them in another order, and fail every beat in it.
   */
  private async update(beats: Waiting[]): Promise<Set<string>> {
    const column = <T>(pick: (w: Waiting) => T) => beats.map(pick);
    const rows = await this.db.$queryRaw<{ id: string }[]>`
      WITH b AS (
        SELECT * FROM unnest(
          ${column((w) => w.quiet.hostId)}::text[],
          ${column((w) => w.quiet.beat.version)}::text[],
          ${column((w) => JSON.stringify(w.quiet.beat.engine))}::text[],
          ${column((w) => w.quiet.beat.driver.name)}::text[],
          ${column((w) => w.quiet.beat.driver.healthy)}::boolean[],
          ${column((w) => w.quiet.beat.driver.reason ?? null)}::text[],
          ${column((w) => timestamp(w.at))}::text[],
          ${column((w) => JSON.stringify(w.quiet.beat.labels))}::text[],
          ${column((w) => w.quiet.capacityMillis)}::int[],
          ${column((w) => w.quiet.capacityMemoryMb)}::int[]
        ) AS b(id, version, engine, driver, healthy, reason, at, labels, "capacityMillis", "capacityMemoryMb")
      ), free AS (
        SELECT h.id FROM "WorkerHost" AS h JOIN b ON b.id = h.id
        WHERE h.labels = b.labels::jsonb
          AND h."capacityMillis" = b."capacityMillis" AND h."capacityMemoryMb" = b."capacityMemoryMb"
        FOR UPDATE OF h SKIP LOCKED
      )
      UPDATE "WorkerHost" AS h
      SET version = b.version, engine = b.engine::jsonb, driver = b.driver,
          "driverHealthy" = b.healthy, "driverReason" = b.reason,
          "lastHeartbeatAt" = b.at::timestamp(3), "lostAt" = NULL
      FROM b JOIN free ON free.id = b.id
      WHERE h.id = b.id
      RETURNING h.id`;
    return new Set(rows.map((r) => r.id));
  }
}
