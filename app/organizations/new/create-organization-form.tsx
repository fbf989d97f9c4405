"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { primaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { TextField } from "@/app/_components/text-field.tsx";
import { useLiveValidation } from "@/app/_components/use-live-validation.ts";
import { useTRPC } from "@/app/lib/trpc.ts";
import { createOrganizationSchema, slugFromName } from "@/server/organizations/schemas.ts";

export function CreateOrganizationForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const form = useLiveValidation(createOrganizationSchema, { name: "", slug: "" });
  const [slugEdited, setSlugEdited] = useState(false);
  const create = useMutation(
    trpc.organizations.create.mutationOptions({
      onSuccess: (org) => router.push(`/o/${org.slug}`),
    }),
  );
  const serverField = create.error?.data?.field === "slug" ? create.error.message : undefined;

  return (
    <form
      className="space-y-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (form.attemptSubmit() && form.data) create.mutate(form.data);
      }}
    >
      <TextField
        name="name"
        label="Organisation name"
        value={form.values.name}
        onValue={(v) => {
          form.set("name", v);
          if (!slugEdited) form.set("slug", slugFromName(v));
        }}
        onBlur={() => form.touch("name")}
        error={form.errorFor("name")}
      />
      <TextField
        name="slug"
        label="Address"
        hint={`corral/o/${form.values.slug || "your-team"}`}
        value={form.values.slug}
        onValue={(v) => {
          setSlugEdited(true);
          form.set("slug", v);
        }}
        onBlur={() => form.touch("slug")}
        error={form.errorFor("slug") ?? serverField}
      />
      {create.error && !serverField && <Notice tone="error">{create.error.message}</Notice>}
      <button type="submit" disabled={create.isPending} className={`w-full ${primaryButton}`}>
        {create.isPending ? "Creating…" : "Create organisation"}
      </button>
    </form>
  );
}
