// Estimated cost of model usage: each organisation's price table (editable), falling back to
// list prices known here. Prices are US dollars per million tokens.
import type { Db, Tx } from "../db/client.ts";

export const defaultPrices: Record<string, { input: number; output: number }> = {
  "claude-opus-4-1": { input: 15, output: 75 },
  "claude-opus-4": { input: 15, output: 75 },
  "claude-sonnet-4-5": { input: 3, output: 15 },
  "claude-sonnet-4": { input: 3, output: 15 },
  "claude-haiku-4-5": { input: 1, output: 5 },
  "claude-3-5-haiku": { input: 0.8, output: 4 },
  "corral-demo-model": { input: 0, output: 0 },
};

/** The price of `model`: the organisation's own, else a known list price matched by prefix. */
export async function priceOf(tx: Tx | Db, orgId: string, model: string) {
  const own = await tx.modelPrice.findUnique({ where: { orgId_model: { orgId, model } } });
  if (own) return { input: own.inputUsdPerMTok, output: own.outputUsdPerMTok };
  const known = Object.keys(defaultPrices)
    .sort((a, b) => b.length - a.length)
    .find((name) => model.startsWith(name));
  return known ? defaultPrices[known] : null;
}

export async function costOf(
  tx: Tx | Db,
  orgId: string,
  model: string,
  input: number,
  output: number,
) {
  const price = await priceOf(tx, orgId, model);
  if (!price) return 0;
  return (input * price.input + output * price.output) / 1_000_000;
}

/** The organisation's table: its own prices, then the defaults it has not overridden. */
export async function priceTable(db: Db, orgId: string) {
  const own = await db.modelPrice.findMany({ where: { orgId }, orderBy: { model: "asc" } });
  const named = new Set(own.map((p) => p.model));
  return [
    ...own.map((p) => ({
      model: p.model,
      inputUsdPerMTok: p.inputUsdPerMTok,
      outputUsdPerMTok: p.outputUsdPerMTok,
      custom: true,
    })),
    ...Object.entries(defaultPrices)
      .filter(([model]) => !named.has(model))
      .map(([model, p]) => ({
        model,
        inputUsdPerMTok: p.input,
        outputUsdPerMTok: p.output,
        custom: false,
      })),
  ];
}
