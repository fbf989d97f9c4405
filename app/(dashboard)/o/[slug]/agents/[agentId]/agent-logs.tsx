"use client";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { LiveIndicator } from "@/app/_components/live-indicator.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";

/** The agent's recent output as it arrives (pushed by the page's stream), following the end. */
export function AgentLogs(props: {
  orgSlug: string;
  agentId: string;
  live: "idle" | "connecting" | "pending" | "error";
}) {
  const { orgSlug, agentId, live } = props;
  const trpc = useTRPC();
  const logs = useQuery(
    trpc.agents.logs.queryOptions(
      { orgSlug, agentId, limit: 500 },
      { refetchInterval: live === "pending" ? false : 3000 },
    ),
  );
  const box = useRef<HTMLDivElement>(null);
  const count = logs.data?.length ?? 0;
  useEffect(() => {
    if (count && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [count]);
  return (
    <section aria-labelledby="logs-heading" className="space-y-2">
      <h2 id="logs-heading" className="flex items-center gap-2 text-lg font-semibold">
        Logs
        <LiveIndicator status={live} />
      </h2>
      <div
        ref={box}
        role="log"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling log must be reachable by keyboard
        tabIndex={0}
        data-testid="agent-logs"
        aria-label="Agent output"
        className="h-72 overflow-auto whitespace-pre-wrap rounded-xl bg-zinc-950 p-3 font-mono text-xs text-zinc-100"
      >
        {logs.isPending
          ? "Loading…"
          : count === 0
            ? "No output yet."
            : logs.data?.map((l) => (
                <div key={l.id} className={l.stream === "stderr" ? "text-red-300" : undefined}>
                  <span className="text-zinc-400">
                    {new Date(l.at).toISOString().slice(11, 19)}{" "}
                  </span>
                  {l.text}
                </div>
              ))}
      </div>
    </section>
  );
}
