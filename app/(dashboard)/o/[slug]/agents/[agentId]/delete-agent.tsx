"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { dangerButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { TextField } from "@/app/_components/text-field.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";

/** Deleting removes the container and its workspace: type the name to confirm. */
export function DeleteAgent({
  orgSlug,
  agentId,
  name,
}: {
  orgSlug: string;
  agentId: string;
  name: string;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const [confirm, setConfirm] = useState("");
  const remove = useMutation(
    trpc.agents.delete.mutationOptions({
      onSuccess: () => {
        toast.success(`${name} deleted; its container and workspace are being removed.`);
        router.push(`/o/${orgSlug}/agents`);
      },
    }),
  );
  return (
    <section
      aria-labelledby="delete-heading"
      className="max-w-xl space-y-3 rounded-xl border border-red-200 p-4 dark:border-red-900"
    >
      <h2 id="delete-heading" className="font-semibold text-red-700 dark:text-red-400">
        Delete this agent
      </h2>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Its container and workspace are removed from the sandbox. The audit log keeps its history.
      </p>
      <form
        aria-label="Delete the agent"
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          remove.mutate({ orgSlug, agentId, confirmName: confirm });
        }}
      >
        <TextField
          name="confirm-agent-name"
          label={`Type ${name} to confirm`}
          value={confirm}
          onValue={setConfirm}
          autoComplete="off"
        />
        <button
          type="submit"
          className={dangerButton}
          disabled={confirm !== name || remove.isPending}
        >
          {remove.isPending ? "Deleting…" : "Delete agent"}
        </button>
      </form>
      {remove.error && <Notice tone="error">{remove.error.message}</Notice>}
    </section>
  );
}
