// QEMU's machine protocol (QMP) on the tenant's socket: pause, save to a file, resume, quit.
import { LineSocket } from "./line-socket.ts";

type QmpAnswer = { return?: unknown; error?: { desc: string }; event?: string; id?: string };

export class Qmp {
  #next = 0;
  private constructor(readonly socket: LineSocket) {}

  static async connect(path: string): Promise<Qmp> {
    const socket = await LineSocket.connect(path);
    const qmp = new Qmp(socket);
    await socket.readLine(5000); // the greeting
    await qmp.execute("qmp_capabilities");
    return qmp;
  }

  async execute<T = unknown>(
    command: string,
    args?: Record<string, unknown>,
    timeoutMs = 30_000,
  ): Promise<T> {
    const id = `c${++this.#next}`;
    this.socket.write(JSON.stringify({ execute: command, arguments: args, id }));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = JSON.parse(await this.socket.readLine(deadline - Date.now())) as QmpAnswer;
      if (answer.id !== id) continue; // events, and answers to nobody
      if (answer.error) throw new Error(`qmp ${command}: ${answer.error.desc}`);
      return answer.return as T;
    }
  }

  /** Polls query-migrate until it completes (or fails). */
  async waitForMigration(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { status, "error-desc": error } = await this.execute<{
        status?: string;
        "error-desc"?: string;
      }>("query-migrate");
      if (status === "completed") return;
      if (status === "failed" || status === "cancelled")
        throw new Error(`migration ${status}: ${error ?? "no reason given"}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`migration did not complete within ${timeoutMs} ms`);
  }

  async status(): Promise<string> {
    return (await this.execute<{ status: string }>("query-status")).status;
  }

  close(): void {
    this.socket.close();
  }
}

/** Runs `work` with a fresh QMP connection, closed afterwards. */
export async function withQmp<T>(path: string, work: (qmp: Qmp) => Promise<T>): Promise<T> {
  const qmp = await Qmp.connect(path);
  try {
    return await work(qmp);
  } finally {
    qmp.close();
  }
}
