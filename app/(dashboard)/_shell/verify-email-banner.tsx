import { ActionButton } from "@/app/_components/action-button.tsx";
import { secondaryButton } from "@/app/_components/buttons.ts";
import { resendVerificationAction } from "./actions.ts";

export function VerifyEmailBanner({ email }: { email: string }) {
  return (
    <section
      aria-label="Confirm your email"
      className="flex flex-wrap items-center justify-between gap-3 rounded-xl border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
    >
      <p>
        Confirm your email address: we sent a link to {email}. Invitations need a confirmed address.
      </p>
      <ActionButton
        action={resendVerificationAction}
        label="Send it again"
        pendingLabel="Sending…"
        className={secondaryButton}
      />
    </section>
  );
}
