import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import type { CapturedMail } from "@/infra/dev/mail-sink.ts";
import { currentSession } from "@/server/auth/current-session.ts";
import { webConfig } from "@/server/core/config.ts";
import { db } from "@/server/db/client.ts";

export const metadata: Metadata = { title: "Captured mail" };
export const dynamic = "force-dynamic";

/** Plain text with its http(s) links made clickable. */
function Linkified({ text }: { text: string }) {
  return text.split(/(https?:\/\/\S+)/g).map((part, i) =>
    /^https?:\/\//.test(part) ? (
      // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed string
      <a key={i} href={part} className="text-indigo-700 underline dark:text-indigo-300">
        {part}
      </a>
    ) : (
      part
    ),
  );
}

// Development only: the mail the local SMTP sink caught. Absent when no sink is configured;
// shown only to a signed-in operator (it holds sign-in and reset links for everyone).
export default async function CapturedMailPage() {
  const sink = webConfig().CORRAL_MAIL_SINK_URL;
  if (!sink) notFound();
  const session = await currentSession();
  if (!session) redirect("/sign-in?callbackUrl=/dev/mail");
  const user = await db().user.findUnique({
    where: { id: session.user.id },
    select: { isOperator: true },
  });
  if (!user?.isOperator) notFound();
  let messages: CapturedMail[] | null = null;
  try {
    messages = (await (
      await fetch(`${sink}/messages`, { cache: "no-store" })
    ).json()) as CapturedMail[];
  } catch {
    messages = null;
  }
  return (
    <main className="mx-auto max-w-3xl space-y-6 p-6 md:p-10">
      <header className="space-y-1">
        <h1 className="text-2xl font-bold tracking-tight">Captured mail</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Development mail sink at {sink}. Nothing here was delivered to a real inbox.
        </p>
      </header>
      {messages === null ? (
        <p
          role="status"
          className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
        >
          The mail sink does not answer. Is `npm run up` still running?
        </p>
      ) : messages.length === 0 ? (
        <p className="rounded-xl border border-dashed border-zinc-300 p-8 text-center text-sm dark:border-zinc-700">
          No mail yet. Sign up or invite someone and it shows here.
        </p>
      ) : (
        <ul className="space-y-4">
          {messages.map((m) => (
            <li
              key={m.id}
              className="rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
            >
              <p className="font-semibold">{m.subject}</p>
              <p className="text-xs text-zinc-600 dark:text-zinc-400">
                to {m.to.join(", ")} ·{" "}
                <time dateTime={m.receivedAt}>{new Date(m.receivedAt).toUTCString()}</time>
              </p>
              <pre className="mt-3 whitespace-pre-wrap break-words font-sans text-sm">
                <Linkified text={m.text} />
              </pre>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
