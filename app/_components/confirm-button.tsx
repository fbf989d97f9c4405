"use client";
// A destructive action behind a confirmation dialog (Radix: focus trapped, Escape closes,
// title and description announced). With `typeToConfirm`, the person types that text first;
// `fields` adds inputs of the caller's own (e.g. an optional reason) above the buttons.
import * as Dialog from "@radix-ui/react-dialog";
import { type ReactNode, useState } from "react";
import { dangerButton, secondaryButton } from "./buttons.ts";

export function ConfirmButton(props: {
  /** The button that opens the dialog. */
  children: ReactNode;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  typeToConfirm?: string;
  fields?: ReactNode;
  disabled?: boolean;
  className?: string;
  /** The look of the confirming button; dangerous by default. */
  confirmClassName?: string;
  testId?: string;
}) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const ready = !props.typeToConfirm || typed === props.typeToConfirm;
  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        setTyped("");
      }}
    >
      <Dialog.Trigger asChild>
        <button
          type="button"
          className={props.className ?? dangerButton}
          disabled={props.disabled}
          data-testid={props.testId}
        >
          {props.children}
        </button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 bg-black/40" />
        <Dialog.Content className="fixed top-1/3 left-1/2 w-[min(28rem,92vw)] -translate-x-1/2 space-y-4 rounded-xl border border-zinc-200 bg-white p-5 shadow-xl dark:border-zinc-700 dark:bg-zinc-900">
          <Dialog.Title className="text-lg font-semibold">{props.title}</Dialog.Title>
          <Dialog.Description className="text-sm text-zinc-600 dark:text-zinc-400">
            {props.description}
          </Dialog.Description>
          <form
            className="space-y-4"
            onSubmit={(e) => {
              e.preventDefault();
              if (!ready) return;
              setOpen(false);
              props.onConfirm();
            }}
          >
            {props.fields}
            {props.typeToConfirm && (
              <div className="space-y-1">
                <label htmlFor="confirm-text" className="block text-sm font-medium">
                  Type {props.typeToConfirm} to confirm
                </label>
                <input
                  id="confirm-text"
                  autoComplete="off"
                  value={typed}
                  onChange={(e) => setTyped(e.target.value)}
                  className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-900"
                />
              </div>
            )}
            <div className="flex justify-end gap-2">
              <Dialog.Close asChild>
                <button type="button" className={secondaryButton}>
                  Cancel
                </button>
              </Dialog.Close>
              <button
                type="submit"
                className={props.confirmClassName ?? dangerButton}
                disabled={!ready}
              >
                {props.confirmLabel}
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
