"use client";
// Form state validated as the person types, with the same zod schema the server applies.
// Errors show for a field once it has been left (or after a submit attempt).
import { useState } from "react";
import type { z } from "zod";

export function useLiveValidation<S extends z.ZodObject>(
  schema: S,
  initial: Record<keyof z.input<S>, string>,
) {
  type Field = keyof z.input<S> & string;
  const [values, setValues] = useState(initial);
  const [touched, setTouched] = useState<Partial<Record<Field, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);

  const result = schema.safeParse(values);
  const errors: Partial<Record<string, string[]>> = result.success
    ? {}
    : result.error.flatten().fieldErrors;

  return {
    values,
    valid: result.success,
    data: result.success ? (result.data as z.output<S>) : null,
    set: (field: Field, value: string) => setValues((v) => ({ ...v, [field]: value })),
    touch: (field: Field) => setTouched((t) => ({ ...t, [field]: true })),
    errorFor: (field: Field) => (touched[field] || submitted ? errors[field]?.[0] : undefined),
    /** Marks every field as touched; returns whether the form may be sent. */
    attemptSubmit: () => {
      setSubmitted(true);
      return result.success;
    },
    reset: () => {
      setValues(initial);
      setTouched({});
      setSubmitted(false);
    },
  };
}
