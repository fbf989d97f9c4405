"use client";
import type { inferRouterOutputs } from "@trpc/server";
import { useEffect, useRef } from "react";
import { secondaryButton } from "@/app/_components/buttons.ts";
import { CopyButton } from "@/app/_components/copy-button.tsx";
import type { AppRouter } from "@/server/root-router.ts";

/** One event as the audit API returns it. */
export type AuditEventView = inferRouterOutputs<AppRouter>["audit"]["list"]["events"][number];

type Diff = { before?: Record<string, unknown>; after?: Record<string, unknown> };

/** The whole event in a modal dialog (Esc closes it), with a before/after table for updates. */
export function EventDrawer({
  event,
  onClose,
}: {
  event: AuditEventView | null;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    if (event && !dialog.current?.open) dialog.current?.showModal();
    if (!event && dialog.current?.open) dialog.current.close();
  }, [event]);

  const diff = (event?.metadata ?? {}) as Diff;
  const changed =
    diff.before || diff.after
      ? [...new Set([...Object.keys(diff.before ?? {}), ...Object.keys(diff.after ?? {})])]
      : [];
  const rows: [string, string | null][] = event
    ? [
        ["When", new Date(event.occurredAt).toUTCString()],
        [
          "Actor",
          `${event.actorName} (${event.actorType.toLowerCase()}${event.actorId ? ` ${event.actorId}` : ""})`,
        ],
        ["Action", event.action],
        [
          "Target",
          event.targetType
            ? `${event.targetName ?? ""} (${event.targetType} ${event.targetId})`
            : null,
        ],
        ["Outcome", event.outcome.toLowerCase()],
        ["IP address", event.ipAddress],
        ["User agent", event.userAgent],
        ["Request", event.requestId],
        ["Sequence", String(event.seq)],
      ]
    : [];

  return (
    <dialog
      ref={dialog}
      onClose={onClose}
      aria-labelledby="event-title"
      className="m-0 ml-auto h-dvh max-h-dvh w-full max-w-xl overflow-y-auto bg-white p-6 text-zinc-900 shadow-xl backdrop:bg-black/40 dark:bg-zinc-900 dark:text-zinc-100"
    >
      {event && (
        <div className="space-y-5">
          <div className="flex items-start justify-between gap-3">
            <h2 id="event-title" className="font-mono text-lg font-semibold">
              {event.action}
            </h2>
            <button type="button" className={secondaryButton} onClick={onClose}>
              Close
            </button>
          </div>
          <dl className="grid grid-cols-[8rem_1fr] gap-x-3 gap-y-2 text-sm">
            {rows
              .filter(([, v]) => v)
              .map(([k, v]) => (
                <div key={k} className="contents">
                  <dt className="text-zinc-600 dark:text-zinc-400">{k}</dt>
                  <dd className="break-all">{v}</dd>
                </div>
              ))}
          </dl>
          {changed.length > 0 && (
            <table className="w-full text-sm" aria-label="Changes">
              <thead className="text-left text-xs uppercase text-zinc-600 dark:text-zinc-400">
                <tr>
                  <th className="py-1">Field</th>
                  <th className="py-1">Before</th>
                  <th className="py-1">After</th>
                </tr>
              </thead>
              <tbody>
                {changed.map((field) => (
                  <tr key={field} className="border-t border-zinc-100 dark:border-zinc-800">
                    <td className="py-1 font-mono">{field}</td>
                    <td className="py-1 text-red-700 dark:text-red-300">
                      {JSON.stringify(diff.before?.[field] ?? null)}
                    </td>
                    <td className="py-1 text-emerald-700 dark:text-emerald-300">
                      {JSON.stringify(diff.after?.[field] ?? null)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <div className="space-y-1">
            <p className="text-sm font-medium">Details</p>
            <pre className="overflow-x-auto rounded bg-zinc-100 p-3 text-xs dark:bg-zinc-800">
              {JSON.stringify(event.metadata, null, 2)}
            </pre>
          </div>
          <div className="flex items-center gap-2 text-xs text-zinc-600 dark:text-zinc-400">
            <span className="break-all font-mono">hash {event.hash}</span>
            <CopyButton value={event.id} label="Copy event id" />
          </div>
        </div>
      )}
    </dialog>
  );
}
