// The worker's channel into a guest: a virtio-serial port QEMU serves on the tenant's control
// socket (mode-700 folder), answered by corral-guest inside (infra/images/microvm/guest-init.sh).
// It runs a shell script as the guest's root: the clock after a restore, the engine API's keys,
// the agents' firewall, corral-disk. One request at a time per guest.
//
// The guest drops what arrives while its end of the port is closed, which it is for a moment
// after every host disconnection (and after a restore). So the connection is kept open, and a
// new one starts with a handshake, repeated until the guest answers; only then a request.
import { LineSocket } from "./line-socket.ts";

export interface ControlResult {
  exitCode: number;
  output: string;
}

const handshakeEveryMs = 300;

export class GuestControl {
  #queue: Promise<unknown> = Promise.resolve();
  #socket: LineSocket | null = null;
  #next = 0;
  constructor(readonly socketPath: string) {}

  /** Runs `script` with sh in the guest; its exit code and output (stdout and stderr). */
  run(script: string, timeoutMs = 60_000): Promise<ControlResult> {
    const result = this.#queue.then(() => this.#request(script, timeoutMs));
    this.#queue = result.catch(() => {});
    return result;
  }

  close(): void {
    this.#socket?.close();
    this.#socket = null;
  }

  async #request(script: string, timeoutMs: number): Promise<ControlResult> {
    const deadline = Date.now() + timeoutMs;
    try {
      const socket = this.#socket ?? (await this.#connect(deadline));
      this.#socket = socket;
      const id = this.#id();
      socket.write(`${id} ${Buffer.from(script).toString("base64")}`);
      return await this.#answer(socket, new Set([id]), deadline - Date.now());
    } catch (error) {
      // A request may be half-answered: the next one starts on a fresh connection.
      this.close();
      throw error;
    }
  }

  /** A new connection, once the guest has answered one of the repeated handshakes. */
  async #connect(deadline: number): Promise<LineSocket> {
    const socket = await LineSocket.connect(this.socketPath);
    const ids = new Set<string>();
    try {
      for (;;) {
        const id = this.#id();
        ids.add(id);
        socket.write(`${id} ${Buffer.from("true").toString("base64")}`);
        const wait = Math.min(handshakeEveryMs, deadline - Date.now());
        if (wait <= 0) throw new Error(`the guest did not answer on ${this.socketPath}`);
        try {
          await this.#answer(socket, ids, wait);
          return socket;
        } catch (error) {
          if (!/no answer within/.test(String(error))) throw error;
        }
      }
    } catch (error) {
      socket.close();
      throw error;
    }
  }

  async #answer(socket: LineSocket, ids: Set<string>, timeoutMs: number): Promise<ControlResult> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = await socket.readLine(deadline - Date.now());
      const [answerId = "", code, output = ""] = line.split(" ");
      // Answers to earlier handshakes or to a request whose asker gave up: not this one's.
      if (!ids.has(answerId)) continue;
      return { exitCode: Number(code), output: Buffer.from(output, "base64").toString("utf8") };
    }
  }

  #id(): string {
    return `r${process.pid}.${++this.#next}.${Date.now()}`;
  }
}

/** A shell word for `value`, whatever it holds. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** A script that writes `content` to `path` in the guest (mode as octal digits). */
export function writeFileScript(path: string, content: string | Buffer, mode = "0600"): string {
  const encoded = Buffer.from(content).toString("base64");
  return [
    `mkdir -p "$(dirname ${shellQuote(path)})"`,
    `printf %s '${encoded}' | base64 -d >${shellQuote(`${path}.new`)}`,
    `chmod ${mode} ${shellQuote(`${path}.new`)}`,
    `mv ${shellQuote(`${path}.new`)} ${shellQuote(path)}`,
  ].join("\n");
}
