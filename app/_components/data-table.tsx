"use client";
// One table for lists: sort by a column (click its header, again to reverse), filter by
// text, page through 25 rows at a time, and an empty state that says what to do.
import { ArrowDown, ArrowUp, ArrowUpDown } from "lucide-react";
import { type ReactNode, useState } from "react";
import { secondaryButton } from "./buttons.ts";

export interface Column<Row> {
  key: string;
  header: string;
  cell: (row: Row) => ReactNode;
  /** Makes the column sortable by this value. */
  sortValue?: (row: Row) => string | number;
  /** Screen-reader-only header (action columns). */
  hiddenHeader?: boolean;
}

const cellClass = "px-3 py-2 text-left align-top";

export function DataTable<Row>(props: {
  label: string;
  rows: Row[];
  columns: Column<Row>[];
  rowKey: (row: Row) => string;
  /** Text the filter box searches; no filter box without it. */
  filterText?: (row: Row) => string;
  empty: ReactNode;
  rowTestId?: string;
  pageSize?: number;
  /**
   * A click anywhere on a row (outside its links and buttons) opens it. A row must still hold
   * a link or button doing the same, for the keyboard.
   */
  onRowClick?: (row: Row) => void;
  /** Marks the row that is open (highlighted). */
  isRowCurrent?: (row: Row) => boolean;
}) {
  const { rows, columns, filterText, pageSize = 25, onRowClick, isRowCurrent } = props;
  const [sort, setSort] = useState<{ key: string; dir: 1 | -1 } | null>(null);
  const [filter, setFilter] = useState("");
  const [page, setPage] = useState(0);

  const needle = filter.trim().toLowerCase();
  const filtered =
    needle && filterText ? rows.filter((r) => filterText(r).toLowerCase().includes(needle)) : rows;
  const sortColumn = columns.find((c) => c.key === sort?.key);
  const sorted =
    sort && sortColumn?.sortValue
      ? [...filtered].sort((a, b) => {
          const x = sortColumn.sortValue?.(a) ?? "";
          const y = sortColumn.sortValue?.(b) ?? "";
          return (x < y ? -1 : x > y ? 1 : 0) * sort.dir;
        })
      : filtered;
  const pages = Math.max(1, Math.ceil(sorted.length / pageSize));
  const current = Math.min(page, pages - 1);
  const shown = sorted.slice(current * pageSize, (current + 1) * pageSize);

  if (rows.length === 0) return <>{props.empty}</>;
  return (
    <div className="space-y-2">
      {filterText && (
        <input
          type="search"
          aria-label={`Filter ${props.label.toLowerCase()}`}
          placeholder="Filter…"
          value={filter}
          onChange={(e) => {
            setFilter(e.target.value);
            setPage(0);
          }}
          className="w-full max-w-xs rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
        />
      )}
      {/* relative: screen-reader-only text in cells stays inside the scrolling box. */}
      <div className="relative overflow-x-auto rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
        <table className="w-full text-sm" aria-label={props.label}>
          <thead className="border-b border-zinc-200 text-xs uppercase text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
            <tr>
              {columns.map((c) => {
                const active = sort?.key === c.key;
                return (
                  <th
                    key={c.key}
                    className={`${cellClass} whitespace-nowrap`}
                    aria-sort={active ? (sort?.dir === 1 ? "ascending" : "descending") : undefined}
                  >
                    {c.hiddenHeader ? (
                      <span className="sr-only">{c.header}</span>
                    ) : c.sortValue ? (
                      <button
                        type="button"
                        className="inline-flex items-center gap-1 uppercase"
                        onClick={() =>
                          setSort(
                            active && sort?.dir === 1
                              ? { key: c.key, dir: -1 }
                              : { key: c.key, dir: 1 },
                          )
                        }
                      >
                        {c.header}
                        {active ? (
                          sort?.dir === 1 ? (
                            <ArrowUp aria-hidden="true" className="size-3" />
                          ) : (
                            <ArrowDown aria-hidden="true" className="size-3" />
                          )
                        ) : (
                          <ArrowUpDown aria-hidden="true" className="size-3 opacity-50" />
                        )}
                      </button>
                    ) : (
                      c.header
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {shown.length === 0 ? (
              <tr>
                <td
                  colSpan={columns.length}
                  className={`${cellClass} text-zinc-600 dark:text-zinc-400`}
                >
                  Nothing matches “{filter}”.
                </td>
              </tr>
            ) : (
              shown.map((row) => (
                <tr
                  key={props.rowKey(row)}
                  data-testid={props.rowTestId}
                  onClick={
                    onRowClick
                      ? (e) => {
                          const target = e.target as HTMLElement;
                          if (target.closest("a, button, input, select, textarea, summary")) return;
                          onRowClick(row);
                        }
                      : undefined
                  }
                  className={`border-b border-zinc-100 last:border-0 dark:border-zinc-800 ${
                    onRowClick ? "cursor-pointer hover:bg-zinc-50 dark:hover:bg-zinc-800/60" : ""
                  } ${isRowCurrent?.(row) ? "bg-indigo-50 dark:bg-indigo-950/60" : ""}`}
                >
                  {columns.map((c) => (
                    <td key={c.key} className={cellClass}>
                      {c.cell(row)}
                    </td>
                  ))}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {pages > 1 && (
        <nav aria-label={`${props.label} pages`} className="flex items-center gap-2 text-sm">
          <button
            type="button"
            className={secondaryButton}
            disabled={current === 0}
            onClick={() => setPage(current - 1)}
          >
            Previous
          </button>
          <span>
            Page {current + 1} of {pages} ({sorted.length} rows)
          </span>
          <button
            type="button"
            className={secondaryButton}
            disabled={current >= pages - 1}
            onClick={() => setPage(current + 1)}
          >
            Next
          </button>
        </nav>
      )}
    </div>
  );
}
