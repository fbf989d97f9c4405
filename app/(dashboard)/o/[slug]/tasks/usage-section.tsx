"use client";
// Model usage of the organisation's tasks: tokens and estimated cost per day (every day of the
// window, idle ones as zero), totals, and the split by model.
import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { Notice } from "@/app/_components/notice.tsx";
import { Skeleton } from "@/app/_components/skeleton.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import { formatCost, formatCount, formatTokens } from "./format.ts";

const muted = "text-zinc-600 dark:text-zinc-400";
const tick = { fontSize: 11, fill: "currentColor" };
const cell = "px-3 py-1.5 text-left";
const windows = [7, 14, 30, 90] as const;

interface Day {
  day: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  tasks: number;
}

/** The last `days` UTC days, oldest first, as YYYY-MM-DD. */
function lastDays(days: number, now = Date.now()): string[] {
  return Array.from({ length: days }, (_, i) =>
    new Date(now - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10),
  );
}

export function UsageSection({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const id = useId();
  const [days, setDays] = useState<number>(14);
  const usage = useQuery(
    trpc.tasks.usage.queryOptions({ orgSlug, days }, { refetchInterval: 30_000 }),
  );

  return (
    <section aria-labelledby={`${id}-heading`} className="space-y-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id={`${id}-heading`} className="text-lg font-semibold">
            Usage
          </h2>
          <p className={`text-sm ${muted}`}>
            Tokens the agents reported, and their <strong>estimated cost</strong> from the price
            table below. Days are UTC.
          </p>
        </div>
        <label className="space-y-1 text-sm font-medium">
          <span>Window</span>
          <select
            value={days}
            onChange={(e) => setDays(Number(e.target.value))}
            className="block rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
          >
            {windows.map((d) => (
              <option key={d} value={d}>
                last {d} days
              </option>
            ))}
          </select>
        </label>
      </div>
      {usage.isPending ? (
        <Skeleton label="Loading usage" height="h-64" />
      ) : usage.isError ? (
        <Notice tone="error">{usage.error.message} Reload the page to try again.</Notice>
      ) : (
        <UsageCharts rows={usage.data} days={days} />
      )}
    </section>
  );
}

function UsageCharts(props: {
  rows: {
    day: string;
    model: string;
    inputTokens: number;
    outputTokens: number;
    costUsd: number;
    tasks: number;
  }[];
  days: number;
}) {
  const range = lastDays(props.days);
  const first = range[0] ?? "";
  // Only the days drawn count, so the totals are the chart's.
  const rows = props.rows.filter((r) => r.day >= first);
  const perDay: Day[] = range.map((day) => {
    const of = rows.filter((r) => r.day === day);
    return {
      day,
      inputTokens: of.reduce((n, r) => n + r.inputTokens, 0),
      outputTokens: of.reduce((n, r) => n + r.outputTokens, 0),
      costUsd: of.reduce((n, r) => n + r.costUsd, 0),
      tasks: of.reduce((n, r) => n + r.tasks, 0),
    };
  });
  const total = perDay.reduce(
    (t, d) => ({
      inputTokens: t.inputTokens + d.inputTokens,
      outputTokens: t.outputTokens + d.outputTokens,
      costUsd: t.costUsd + d.costUsd,
      tasks: t.tasks + d.tasks,
    }),
    { inputTokens: 0, outputTokens: 0, costUsd: 0, tasks: 0 },
  );
  const models = [...new Set(rows.map((r) => r.model))]
    .map((model) => {
      const of = rows.filter((r) => r.model === model);
      return {
        model,
        tasks: of.reduce((n, r) => n + r.tasks, 0),
        inputTokens: of.reduce((n, r) => n + r.inputTokens, 0),
        outputTokens: of.reduce((n, r) => n + r.outputTokens, 0),
        costUsd: of.reduce((n, r) => n + r.costUsd, 0),
      };
    })
    .sort((a, b) => b.costUsd - a.costUsd || b.inputTokens - a.inputTokens);
  const busy = perDay.filter((d) => d.tasks > 0);
  const summarise = (f: (d: Day) => string) =>
    busy.length === 0 ? "no tasks in this window" : busy.map((d) => `${d.day} ${f(d)}`).join(", ");

  return (
    <div className="space-y-4">
      <dl className="grid grid-cols-2 gap-3 lg:grid-cols-4" data-testid="usage-totals">
        {[
          ["Tasks", formatCount(total.tasks)],
          ["Input tokens", formatCount(total.inputTokens)],
          ["Output tokens", formatCount(total.outputTokens)],
          ["Estimated cost", formatCost(total.costUsd)],
        ].map(([label, value]) => (
          <div
            key={label}
            className="rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
          >
            <dt className={`text-sm ${muted}`}>{label}</dt>
            <dd className="mt-1 text-xl font-semibold tabular-nums sm:text-2xl">{value}</dd>
          </div>
        ))}
      </dl>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <figure className="min-w-0 rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
          <figcaption className={`text-sm ${muted}`}>Tokens per day</figcaption>
          <div
            className="mt-3 h-52 text-zinc-600 dark:text-zinc-400"
            role="img"
            data-testid="usage-tokens-chart"
            aria-label={`Tokens per day: ${summarise((d) => `${d.inputTokens} in, ${d.outputTokens} out`)}`}
          >
            <ResponsiveContainer width="100%" height="100%" minWidth={200}>
              <BarChart data={perDay} margin={{ top: 4, right: 4, bottom: 0, left: -8 }}>
                <CartesianGrid vertical={false} strokeOpacity={0.2} />
                <XAxis
                  dataKey="day"
                  tick={tick}
                  tickFormatter={(d: string) => d.slice(5)}
                  interval="preserveStartEnd"
                  minTickGap={16}
                />
                <YAxis tick={tick} allowDecimals={false} tickFormatter={formatTokens} width={48} />
                <Tooltip
                  cursor={{ fill: "rgba(99,102,241,0.1)" }}
                  formatter={(value, name) => [formatCount(Number(value)), name]}
                  contentStyle={{ color: "#18181b", fontSize: 12 }}
                />
                <Legend wrapperStyle={{ fontSize: 12 }} />
                <Bar
                  dataKey="inputTokens"
                  name="input"
                  stackId="tokens"
                  fill="#6366f1"
                  isAnimationActive={false}
                />
                <Bar
                  dataKey="outputTokens"
                  name="output"
                  stackId="tokens"
                  fill="#14b8a6"
                  radius={[3, 3, 0, 0]}
                  isAnimationActive={false}
                />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </figure>
        <figure className="min-w-0 rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
          <figcaption className={`text-sm ${muted}`}>Estimated cost per day (USD)</figcaption>
          <div
            className="mt-3 h-52 text-zinc-600 dark:text-zinc-400"
            role="img"
            data-testid="usage-cost-chart"
            aria-label={`Estimated cost per day: ${summarise((d) => formatCost(d.costUsd))}`}
          >
            <ResponsiveContainer width="100%" height="100%" minWidth={200}>
              <BarChart data={perDay} margin={{ top: 4, right: 4, bottom: 0, left: -8 }}>
                <CartesianGrid vertical={false} strokeOpacity={0.2} />
                <XAxis
                  dataKey="day"
                  tick={tick}
                  tickFormatter={(d: string) => d.slice(5)}
                  interval="preserveStartEnd"
                  minTickGap={16}
                />
                <YAxis
                  tick={tick}
                  width={48}
                  tickFormatter={(v: number) => (v === 0 ? "$0" : formatCost(v))}
                />
                <Tooltip
                  cursor={{ fill: "rgba(99,102,241,0.1)" }}
                  formatter={(value) => [formatCost(Number(value)), "estimated cost"]}
                  contentStyle={{ color: "#18181b", fontSize: 12 }}
                />
                <Bar
                  dataKey="costUsd"
                  name="estimated cost"
                  fill="#f59e0b"
                  radius={[3, 3, 0, 0]}
                  isAnimationActive={false}
                />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </figure>
      </div>
      {models.length > 0 && (
        <div className="relative overflow-x-auto rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <table className="w-full text-sm" aria-label="Usage by model">
            <thead className="border-b border-zinc-200 text-xs uppercase text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
              <tr>
                <th className={cell}>Model</th>
                <th className={`${cell} text-right`}>Tasks</th>
                <th className={`${cell} text-right`}>Input tokens</th>
                <th className={`${cell} text-right`}>Output tokens</th>
                <th className={`${cell} text-right`}>Est. cost</th>
              </tr>
            </thead>
            <tbody>
              {models.map((m) => (
                <tr
                  key={m.model}
                  data-testid="usage-model-row"
                  className="border-b border-zinc-100 last:border-0 dark:border-zinc-800"
                >
                  <td className={`${cell} font-mono text-xs whitespace-nowrap`}>
                    {m.model === "none" ? (
                      <span className={`font-sans ${muted}`}>no model call</span>
                    ) : (
                      m.model
                    )}
                  </td>
                  <td className={`${cell} text-right tabular-nums`}>{formatCount(m.tasks)}</td>
                  <td className={`${cell} text-right tabular-nums`}>
                    {formatCount(m.inputTokens)}
                  </td>
                  <td className={`${cell} text-right tabular-nums`}>
                    {formatCount(m.outputTokens)}
                  </td>
                  <td className={`${cell} text-right tabular-nums`}>{formatCost(m.costUsd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
