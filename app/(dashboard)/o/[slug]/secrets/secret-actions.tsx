"use client";
// What an admin does to one secret: rotate its value, change its description, delete it.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { primaryButton } from "@/app/_components/buttons.ts";
import { ConfirmButton } from "@/app/_components/confirm-button.tsx";
import { FormDialog } from "@/app/_components/form-dialog.tsx";
import { Notice } from "@/app/_components/notice.tsx";
import { TextField } from "@/app/_components/text-field.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import { secretValueSchema } from "@/server/secrets/schemas.ts";
import { writeOnlyHint } from "./create-secret-form.tsx";

interface SecretRef {
  id: string;
  name: string;
  description: string;
  version: number;
  grants: { agent: { name: string } }[];
}

function useRefresh(orgSlug: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.secrets.list.queryKey({ orgSlug }) });
}

export function RotateSecret({ orgSlug, secret }: { orgSlug: string; secret: SecretRef }) {
  const trpc = useTRPC();
  const refresh = useRefresh(orgSlug);
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState("");
  const [touched, setTouched] = useState(false);
  const rotate = useMutation(
    trpc.secrets.rotate.mutationOptions({
      onSuccess: (after) => {
        setOpen(false);
        setValue("");
        toast.success(
          `${after.name} is now version ${after.version}; the gateway sends it from the next request on.`,
        );
      },
      onSettled: refresh,
    }),
  );
  const check = secretValueSchema.safeParse(value);
  const error = touched && !check.success ? check.error.issues[0]?.message : undefined;
  const id = `rotate-${secret.id}`;

  return (
    <FormDialog
      trigger={
        <>
          Rotate<span className="sr-only"> {secret.name}</span>
        </>
      }
      title={`Rotate ${secret.name}`}
      description={`The new value becomes version ${secret.version + 1}. Agents keep running: the gateway adds the new value from their next request on, and the old one is gone for good.`}
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        setValue("");
        setTouched(false);
        rotate.reset();
      }}
      onSubmit={() => {
        setTouched(true);
        if (check.success) rotate.mutate({ orgSlug, secretId: secret.id, value: check.data });
      }}
      submit={rotate.isPending ? "Rotating…" : "Rotate secret"}
      submitClassName={primaryButton}
      busy={rotate.isPending}
    >
      <TextField
        id={id}
        name="new-secret-value"
        label="New value"
        type="password"
        autoComplete="new-password"
        spellCheck={false}
        hint={writeOnlyHint}
        value={value}
        onValue={setValue}
        onBlur={() => setTouched(true)}
        error={error}
      />
      {rotate.error && <Notice tone="error">{rotate.error.message}</Notice>}
    </FormDialog>
  );
}

export function EditSecretDescription({ orgSlug, secret }: { orgSlug: string; secret: SecretRef }) {
  const trpc = useTRPC();
  const refresh = useRefresh(orgSlug);
  const [open, setOpen] = useState(false);
  const [description, setDescription] = useState(secret.description);
  const update = useMutation(
    trpc.secrets.update.mutationOptions({
      onSuccess: () => {
        setOpen(false);
        toast.success(`Description of ${secret.name} saved.`);
      },
      onSettled: refresh,
    }),
  );
  const tooLong = description.trim().length > 500;

  return (
    <FormDialog
      trigger={
        <>
          Edit<span className="sr-only"> {secret.name}</span>
        </>
      }
      title={`Describe ${secret.name}`}
      description="The value stays as it is; rotate the secret to change it."
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        setDescription(secret.description);
        update.reset();
      }}
      onSubmit={() => {
        if (!tooLong) update.mutate({ orgSlug, secretId: secret.id, description });
      }}
      submit={update.isPending ? "Saving…" : "Save description"}
      submitClassName={primaryButton}
      busy={update.isPending}
    >
      <TextField
        id={`describe-${secret.id}`}
        name="secret-description-edit"
        label="Description"
        value={description}
        onValue={setDescription}
        error={tooLong ? "Use at most 500 characters" : undefined}
      />
      {update.error && <Notice tone="error">{update.error.message}</Notice>}
    </FormDialog>
  );
}

export function DeleteSecret({ orgSlug, secret }: { orgSlug: string; secret: SecretRef }) {
  const trpc = useTRPC();
  const refresh = useRefresh(orgSlug);
  const remove = useMutation(
    trpc.secrets.delete.mutationOptions({
      onSuccess: () => toast.success(`${secret.name} deleted; its grants are revoked.`),
      onError: (error) => toast.error(error.message),
      onSettled: refresh,
    }),
  );
  const agents = [...new Set(secret.grants.map((g) => g.agent.name))];
  return (
    <ConfirmButton
      disabled={remove.isPending}
      title={`Delete ${secret.name}?`}
      description={
        <>
          Its value is destroyed and every grant of it is revoked at once
          {agents.length > 0
            ? ` (${agents.join(", ")} ${agents.length === 1 ? "loses" : "lose"} it on the next request)`
            : ""}
          . Past uses stay in the ledger. This cannot be undone.
        </>
      }
      confirmLabel="Delete secret"
      typeToConfirm={secret.name}
      onConfirm={() => remove.mutate({ orgSlug, secretId: secret.id, confirmName: secret.name })}
    >
      Delete<span className="sr-only"> {secret.name}</span>
    </ConfirmButton>
  );
}
