"use client";
// The prices the cost estimate uses, in US dollars per million tokens: the organisation's own
// (editable by owners and admins), then list prices it has not overridden. A change applies
// to usage reported from then on.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { toast } from "sonner";
import { primaryButton } from "@/app/_components/buttons.ts";
import { FormDialog } from "@/app/_components/form-dialog.tsx";
import { Notice } from "@/app/_components/notice.tsx";
import { Skeleton } from "@/app/_components/skeleton.tsx";
import { TextField } from "@/app/_components/text-field.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import { modelPriceSchema } from "@/server/tasks/schemas.ts";

const muted = "text-zinc-600 dark:text-zinc-400";
const cell = "px-3 py-2 text-left align-top";
const usd = (n: number) => `$${n.toLocaleString("en", { maximumFractionDigits: 4 })}`;

type PriceField = "model" | "inputUsdPerMTok" | "outputUsdPerMTok";

/** Form text → the API's input, with what is wrong with each field. */
function judge(text: Record<PriceField, string>) {
  const price = (s: string) => (/^\s*\d+(\.\d+)?\s*$/.test(s) ? Number(s) : Number.NaN);
  const check = modelPriceSchema.safeParse({
    model: text.model,
    inputUsdPerMTok: price(text.inputUsdPerMTok),
    outputUsdPerMTok: price(text.outputUsdPerMTok),
  });
  const errors: Partial<Record<PriceField, string>> = {};
  for (const field of ["inputUsdPerMTok", "outputUsdPerMTok"] as const)
    if (Number.isNaN(price(text[field])))
      errors[field] = "Dollars per million tokens, e.g. 3 or 0.8";
  if (!check.success)
    for (const issue of check.error.issues) {
      const field = issue.path[0] as PriceField;
      errors[field] ??=
        field === "model"
          ? issue.code === "too_small"
            ? "Name the model, e.g. claude-sonnet-4-5"
            : "At most 128 characters"
          : "From 0 to 10,000 dollars per million tokens";
    }
  return { data: check.success ? check.data : null, errors };
}

export function PriceTable({ orgSlug, editable }: { orgSlug: string; editable: boolean }) {
  const trpc = useTRPC();
  const id = useId();
  const prices = useQuery(trpc.tasks.prices.queryOptions({ orgSlug }));

  return (
    <section aria-labelledby={`${id}-heading`} className="space-y-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id={`${id}-heading`} className="text-lg font-semibold">
            Model prices (estimated cost)
          </h2>
          <p className={`max-w-3xl text-sm ${muted}`}>
            Costs shown in Corral are <strong>estimates</strong>: the tokens agents report times
            these prices, in US dollars per million tokens. Your provider's invoice is what counts.
            A change applies to usage reported from then on; past tasks keep their estimate.
          </p>
        </div>
        {editable && <PriceDialog orgSlug={orgSlug} />}
      </div>
      {prices.isPending ? (
        <Skeleton label="Loading prices" height="h-40" />
      ) : prices.isError ? (
        <Notice tone="error">{prices.error.message} Reload the page to try again.</Notice>
      ) : (
        <div className="relative overflow-x-auto rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <table className="w-full text-sm" aria-label="Model prices">
            <thead className="border-b border-zinc-200 text-xs uppercase text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
              <tr>
                <th className={cell}>Model</th>
                <th className={`${cell} text-right`}>Input $/MTok</th>
                <th className={`${cell} text-right`}>Output $/MTok</th>
                <th className={cell}>Source</th>
                {editable && (
                  <th className={cell}>
                    <span className="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {prices.data.map((p) => (
                <tr
                  key={p.model}
                  data-testid="price-row"
                  className="border-b border-zinc-100 last:border-0 dark:border-zinc-800"
                >
                  <td className={`${cell} font-mono text-xs whitespace-nowrap`}>{p.model}</td>
                  <td className={`${cell} text-right tabular-nums`}>{usd(p.inputUsdPerMTok)}</td>
                  <td className={`${cell} text-right tabular-nums`}>{usd(p.outputUsdPerMTok)}</td>
                  <td className={`${cell} whitespace-nowrap`}>
                    {p.custom ? (
                      <span className="font-medium">your price</span>
                    ) : (
                      <span className={muted}>list price</span>
                    )}
                  </td>
                  {editable && (
                    <td className={cell}>
                      <PriceDialog orgSlug={orgSlug} price={p} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!editable && <p className={`text-sm ${muted}`}>Only owners and admins can change prices.</p>}
    </section>
  );
}

/** Sets one model's price: a new model, or one of the table's rows. */
function PriceDialog(props: {
  orgSlug: string;
  price?: { model: string; inputUsdPerMTok: number; outputUsdPerMTok: number };
}) {
  const { orgSlug, price } = props;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const initial = {
    model: price?.model ?? "",
    inputUsdPerMTok: price ? String(price.inputUsdPerMTok) : "",
    outputUsdPerMTok: price ? String(price.outputUsdPerMTok) : "",
  };
  const [open, setOpen] = useState(false);
  const [text, setText] = useState(initial);
  const [touched, setTouched] = useState<Partial<Record<PriceField, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const save = useMutation(
    trpc.tasks.setPrice.mutationOptions({
      onSuccess: (saved) => {
        setOpen(false);
        toast.success(`Price of ${saved.model} saved; estimates use it from now on.`);
        return queryClient.invalidateQueries({ queryKey: trpc.tasks.prices.queryKey({ orgSlug }) });
      },
    }),
  );
  const { data, errors } = judge(text);
  const errorFor = (f: PriceField) => (touched[f] || submitted ? errors[f] : undefined);
  const field = (f: PriceField, label: string, hint: string) => (
    <TextField
      id={`${id}-${f}`}
      name={f}
      label={label}
      hint={hint}
      inputMode={f === "model" ? undefined : "decimal"}
      autoComplete="off"
      spellCheck={false}
      value={text[f]}
      onValue={(v) => setText((t) => ({ ...t, [f]: v }))}
      onBlur={() => setTouched((t) => ({ ...t, [f]: true }))}
      error={errorFor(f)}
    />
  );

  return (
    <FormDialog
      trigger={
        price ? (
          <>
            Edit<span className="sr-only"> the price of {price.model}</span>
          </>
        ) : (
          "Add a model"
        )
      }
      triggerClassName={
        price
          ? "rounded-md border border-zinc-300 px-2 py-1 text-xs font-medium hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
          : primaryButton
      }
      title={price ? `Price of ${price.model}` : "Add a model's price"}
      description="US dollars per million tokens, as your provider lists them. Used for estimated costs from now on."
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        setText(initial);
        setTouched({});
        setSubmitted(false);
        save.reset();
      }}
      onSubmit={() => {
        setSubmitted(true);
        if (data && Object.keys(errors).length === 0) save.mutate({ orgSlug, ...data });
      }}
      submit={save.isPending ? "Saving…" : "Save price"}
      submitClassName={primaryButton}
      busy={save.isPending}
    >
      {!price &&
        field(
          "model",
          "Model",
          "Exactly as agents report it in their usage, e.g. claude-sonnet-4-5-20250929.",
        )}
      {field("inputUsdPerMTok", "Input ($ per million tokens)", "e.g. 3")}
      {field("outputUsdPerMTok", "Output ($ per million tokens)", "e.g. 15")}
      {save.error && <Notice tone="error">{save.error.message}</Notice>}
    </FormDialog>
  );
}
