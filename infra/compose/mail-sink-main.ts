// The development mail sink as a process of its own, for the one-server stack's demo
// (compose.yaml's `mail` service): SMTP on CORRAL_MAIL_SINK_PORT (2525), the captured mail as
// JSON on CORRAL_MAIL_SINK_HTTP_PORT (2580), both on loopback. Not for production mail.
import { describeError } from "../../common/errors.ts";
import { startMailSink } from "../dev/mail-sink.ts";

const smtpPort = Number(process.env.CORRAL_MAIL_SINK_PORT ?? 2525);
const httpPort = Number(process.env.CORRAL_MAIL_SINK_HTTP_PORT ?? 2580);

try {
  const sink = await startMailSink({ smtpPort, httpPort });
  console.log(`mail-sink: SMTP ${sink.smtpUrl}, messages at ${sink.httpUrl}/messages`);
  for (const signal of ["SIGTERM", "SIGINT"] as const)
    process.once(signal, () => void sink.stop().then(() => process.exit(0)));
} catch (error) {
  console.error(`mail-sink: ${describeError(error)}`);
  process.exit(1);
}
