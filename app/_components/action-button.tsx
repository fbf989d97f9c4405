"use client";
import { useActionState } from "react";
import { Notice } from "./notice.tsx";

interface ActionState {
  error?: string;
  done?: string;
}

/** A one-button form for a server action, showing what the action answered. */
export function ActionButton(props: {
  action: (prev: ActionState) => Promise<ActionState>;
  label: string;
  pendingLabel: string;
  className: string;
}) {
  const [state, action, pending] = useActionState(props.action, {});
  return (
    <form action={action} className="space-y-3">
      {state.error && (
        <Notice tone="error" testId="action-error">
          {state.error}
        </Notice>
      )}
      {state.done && <Notice tone="success">{state.done}</Notice>}
      <button type="submit" disabled={pending} className={props.className}>
        {pending ? props.pendingLabel : props.label}
      </button>
    </form>
  );
}
