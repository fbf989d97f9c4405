"use client";
// Small charts for numbers people compare over time. Fixed heights, so nothing shifts when
// data arrives.
import { Bar, BarChart, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

const tick = { fontSize: 11, fill: "currentColor" };

export function AuditPerDayChart({ data }: { data: { day: string; events: number }[] }) {
  const total = data.reduce((n, d) => n + d.events, 0);
  return (
    <figure className="rounded-xl border border-zinc-200 bg-white p-5 dark:border-zinc-800 dark:bg-zinc-900">
      <figcaption className="text-sm text-zinc-600 dark:text-zinc-400">
        Audit events per day, last 14 days ({total} in all)
      </figcaption>
      <div
        className="mt-3 h-40 text-zinc-600 dark:text-zinc-400"
        role="img"
        aria-label={`Audit events per day: ${data.map((d) => `${d.day} ${d.events}`).join(", ")}`}
      >
        <ResponsiveContainer width="100%" height="100%" minWidth={200}>
          <BarChart data={data} margin={{ top: 4, right: 4, bottom: 0, left: -20 }}>
            <XAxis
              dataKey="day"
              tick={tick}
              tickFormatter={(d: string) => d.slice(5)}
              interval="preserveStartEnd"
            />
            <YAxis tick={tick} allowDecimals={false} />
            <Tooltip cursor={{ fill: "rgba(99,102,241,0.1)" }} />
            <Bar dataKey="events" fill="#6366f1" radius={[3, 3, 0, 0]} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

const stateColours: Record<string, string> = {
  RUNNING: "#10b981",
  PENDING: "#f59e0b",
  PROVISIONING: "#f59e0b",
  STOPPING: "#f59e0b",
  STOPPED: "#a1a1aa",
  FAILED: "#ef4444",
  CRASH_LOOPING: "#ef4444",
};

export function AgentsByStateChart({ counts }: { counts: Record<string, number> }) {
  const data = Object.entries(counts).map(([state, agents]) => ({
    state: state.toLowerCase().replaceAll("_", "-"),
    agents,
    fill: stateColours[state] ?? "#a1a1aa",
  }));
  return (
    <figure className="rounded-xl border border-zinc-200 bg-white p-5 dark:border-zinc-800 dark:bg-zinc-900">
      <figcaption className="text-sm text-zinc-600 dark:text-zinc-400">Agents by state</figcaption>
      <div
        className="mt-3 h-40 text-zinc-600 dark:text-zinc-400"
        role="img"
        aria-label={`Agents by state: ${data.map((d) => `${d.state} ${d.agents}`).join(", ") || "none"}`}
      >
        {data.length === 0 ? (
          <p className="text-sm">No agents yet.</p>
        ) : (
          <ResponsiveContainer width="100%" height="100%" minWidth={200}>
            <BarChart
              data={data}
              layout="vertical"
              margin={{ top: 4, right: 8, bottom: 0, left: 20 }}
            >
              <XAxis type="number" tick={tick} allowDecimals={false} />
              <YAxis type="category" dataKey="state" tick={tick} width={90} />
              <Bar dataKey="agents" radius={[0, 3, 3, 0]} isAnimationActive={false}>
                {data.map((d) => (
                  <Cell key={d.state} fill={d.fill} />
                ))}
              </Bar>
            </BarChart>
          </ResponsiveContainer>
        )}
      </div>
    </figure>
  );
}
