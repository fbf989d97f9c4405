// A development mail server: accepts every message over real SMTP, keeps the last few
// hundred in memory, and lists them as JSON over HTTP (GET /messages) for the dev mail page
// and for tests. Never used in production, where CORRAL_SMTP_URL names a real server.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo, Server } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface CapturedMail {
  id: string;
  receivedAt: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
}

export interface MailSink {
  smtpUrl: string;
  httpUrl: string;
  stop(): Promise<void>;
}

const keep = 500;

export async function startMailSink(opts: {
  smtpPort: number;
  httpPort: number;
}): Promise<MailSink> {
  const messages: CapturedMail[] = [];

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          messages.unshift({
            id: randomUUID(),
            receivedAt: new Date().toISOString(),
            from: parsed.from?.text ?? "",
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            subject: parsed.subject ?? "",
            text: parsed.text ?? "",
          });
          messages.length = Math.min(messages.length, keep);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });

  const http = createServer((req, res) => {
    if (req.url === "/messages" && req.method === "GET") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(messages));
    } else {
      res.writeHead(404).end();
    }
  });

  // A failed listen surfaces through listen() below; keep SMTPServer from re-throwing it.
  smtp.on("error", () => {});
  await listen(smtp.server, opts.smtpPort, "SMTP");
  await listen(http, opts.httpPort, "HTTP");
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const httpPort = (http.address() as AddressInfo).port;
  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    stop: async () => {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function listen(server: Server, port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(
              `mail sink: ${what} port ${port} is in use (set CORRAL_MAIL_SINK_PORT / CORRAL_MAIL_SINK_HTTP_PORT)`,
            )
          : error,
      ),
    );
    server.listen(port, "127.0.0.1", () => resolve());
  });
}
