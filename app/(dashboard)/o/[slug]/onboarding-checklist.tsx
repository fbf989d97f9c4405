"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/app/lib/trpc.ts";

/** Getting started: shown until every step is done, ticking itself as things happen. */
export function OnboardingChecklist({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const steps = useQuery(
    trpc.organizations.onboarding.queryOptions({ orgSlug }, { refetchInterval: 3000 }),
  );
  if (!steps.data || steps.data.every((s) => s.done)) return null;
  const done = steps.data.filter((s) => s.done).length;
  const next = steps.data.find((s) => !s.done);
  return (
    <section
      aria-labelledby="onboarding-heading"
      data-testid="onboarding"
      className="space-y-3 rounded-xl border border-indigo-200 bg-indigo-50 p-5 dark:border-indigo-900 dark:bg-indigo-950"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="onboarding-heading" className="font-semibold">
          Get started
        </h2>
        <p className="text-sm text-zinc-700 dark:text-zinc-300" data-testid="onboarding-progress">
          {done} of {steps.data.length} done
        </p>
      </div>
      <progress
        value={done}
        max={steps.data.length}
        aria-label="Getting started progress"
        className="h-2 w-full"
      />
      <ol className="space-y-2">
        {steps.data.map((step) => (
          <li
            key={step.id}
            data-testid="onboarding-step"
            data-done={step.done}
            className="flex gap-3 text-sm"
          >
            <span
              aria-hidden="true"
              className={`mt-0.5 flex size-5 shrink-0 items-center justify-center rounded-full text-xs ${
                step.done
                  ? "bg-emerald-600 text-white"
                  : "border border-zinc-400 dark:border-zinc-500"
              }`}
            >
              {step.done ? "✓" : ""}
            </span>
            <span>
              {step.done || step.id !== next?.id ? (
                <span className={step.done ? "text-zinc-600 line-through dark:text-zinc-400" : ""}>
                  {step.title}
                </span>
              ) : (
                <Link href={`/o/${orgSlug}${step.path}`} className="font-medium underline">
                  {step.title}
                </Link>
              )}
              <span className="sr-only">{step.done ? " (done)" : " (to do)"}</span>
              {!step.done && (
                <span className="block text-zinc-600 dark:text-zinc-400">{step.hint}</span>
              )}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
