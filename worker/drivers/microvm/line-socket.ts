// A unix socket read a line at a time: the transport of QMP (JSON lines) and of the guest's
// control channel (one request and one answer a line).
import { createConnection, type Socket } from "node:net";

export class LineSocket {
  readonly #socket: Socket;
  readonly #lines: string[] = [];
  #buffer = "";
  #waiter: (() => void) | null = null;
  #closed: Error | null = null;

  private constructor(socket: Socket) {
    this.#socket = socket;
    // An idle connection kept for later does not hold the process open; a wait (a timer) does.
    socket.unref();
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.#buffer += chunk;
      let newline = this.#buffer.indexOf("\n");
      while (newline >= 0) {
        this.#lines.push(this.#buffer.slice(0, newline).replace(/\r$/, ""));
        this.#buffer = this.#buffer.slice(newline + 1);
        newline = this.#buffer.indexOf("\n");
      }
      this.#wake();
    });
    socket.on("close", () => {
      this.#closed ??= new Error("connection closed");
      this.#wake();
    });
    socket.on("error", (error) => {
      this.#closed = error;
      this.#wake();
    });
  }

  static connect(path: string, timeoutMs = 5000): Promise<LineSocket> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no answer from ${path} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve(new LineSocket(socket));
      });
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  #wake() {
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.();
  }

  write(line: string): void {
    this.#socket.write(`${line}\n`);
  }

  /** The next line, or an error when the connection ends or the time is up. */
  async readLine(timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.#lines.length === 0) {
      if (this.#closed) throw this.#closed;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no answer within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.#lines.shift() as string;
  }

  close(): void {
    this.#socket.destroy();
  }
}
