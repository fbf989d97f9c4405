"use client";
// A small form in a dialog (Radix: focus trapped, Escape closes, title and description
// announced). The caller renders the fields and decides when to close, e.g. after saving.
import * as Dialog from "@radix-ui/react-dialog";
import type { ReactNode } from "react";
import { secondaryButton } from "./buttons.ts";

export function FormDialog(props: {
  /** The button that opens the dialog. */
  trigger: ReactNode;
  triggerClassName?: string;
  triggerTestId?: string;
  title: string;
  description: ReactNode;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The form, without its Cancel button (added here). */
  children: ReactNode;
  onSubmit: () => void;
  submit: ReactNode;
  submitClassName: string;
  busy?: boolean;
  disabled?: boolean;
}) {
  return (
    <Dialog.Root open={props.open} onOpenChange={props.onOpenChange}>
      <Dialog.Trigger asChild>
        <button
          type="button"
          className={props.triggerClassName ?? secondaryButton}
          disabled={props.disabled}
          data-testid={props.triggerTestId}
        >
          {props.trigger}
        </button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 bg-black/40" />
        <Dialog.Content className="fixed top-1/2 left-1/2 max-h-[90dvh] w-[min(30rem,92vw)] -translate-x-1/2 -translate-y-1/2 space-y-4 overflow-y-auto rounded-xl border border-zinc-200 bg-white p-5 shadow-xl dark:border-zinc-700 dark:bg-zinc-900">
          <Dialog.Title className="text-lg font-semibold">{props.title}</Dialog.Title>
          <Dialog.Description className="text-sm text-zinc-600 dark:text-zinc-400">
            {props.description}
          </Dialog.Description>
          <form
            className="space-y-4"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              props.onSubmit();
            }}
          >
            {props.children}
            <div className="flex justify-end gap-2">
              <Dialog.Close asChild>
                <button type="button" className={secondaryButton}>
                  Cancel
                </button>
              </Dialog.Close>
              <button type="submit" className={props.submitClassName} disabled={props.busy}>
                {props.submit}
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
