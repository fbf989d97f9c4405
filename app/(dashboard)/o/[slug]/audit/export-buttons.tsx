"use client";
import { useState } from "react";
import { secondaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";

/** Downloads the filtered view, counting rows as they stream in. */
export function ExportButtons({ orgSlug, query }: { orgSlug: string; query: string }) {
  const [progress, setProgress] = useState<{ format: string; rows: number; done: boolean } | null>(
    null,
  );
  const [error, setError] = useState<string | null>(null);

  async function download(format: "csv" | "ndjson") {
    setError(null);
    setProgress({ format, rows: 0, done: false });
    const res = await fetch(
      `/api/orgs/${orgSlug}/audit/export?${query}${query ? "&" : ""}format=${format}`,
    );
    if (!res.ok || !res.body) {
      setProgress(null);
      setError((await res.json().catch(() => null))?.error ?? `Export failed (${res.status}).`);
      return;
    }
    const parts: BlobPart[] = [];
    let rows = format === "csv" ? -1 : 0; // the CSV header is not a row
    const reader = res.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parts.push(value);
      for (const byte of value) if (byte === 10) rows++;
      setProgress({ format, rows, done: false });
    }
    setProgress({ format, rows, done: true });
    const name =
      res.headers.get("content-disposition")?.match(/filename="([^"]+)"/)?.[1] ?? `audit.${format}`;
    const link = document.createElement("a");
    link.href = URL.createObjectURL(
      new Blob(parts, { type: res.headers.get("content-type") ?? "" }),
    );
    link.download = name;
    link.click();
    URL.revokeObjectURL(link.href);
  }

  return (
    <div className="flex flex-wrap items-center gap-2">
      <button
        type="button"
        className={secondaryButton}
        onClick={() => download("csv")}
        disabled={progress?.done === false}
      >
        Export CSV
      </button>
      <button
        type="button"
        className={secondaryButton}
        onClick={() => download("ndjson")}
        disabled={progress?.done === false}
      >
        Export NDJSON
      </button>
      {progress && (
        <span
          role="status"
          className="text-sm text-zinc-600 dark:text-zinc-400"
          data-testid="export-progress"
        >
          {progress.done
            ? `Exported ${progress.rows} events as ${progress.format.toUpperCase()}.`
            : `Exporting… ${Math.max(progress.rows, 0)} events`}
        </span>
      )}
      {error && <Notice tone="error">{error}</Notice>}
    </div>
  );
}
