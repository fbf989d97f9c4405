import { signOutAction, signOutEverywhereAction } from "./actions.ts";

export function SignOutButton() {
  return (
    <form action={signOutAction}>
      <button
        type="submit"
        className="w-full rounded-md px-2 py-1.5 text-left text-sm text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
      >
        Sign out
      </button>
    </form>
  );
}

export function SignOutEverywhereButton() {
  return (
    <form action={signOutEverywhereAction} className="space-y-1">
      <button
        type="submit"
        className="w-full rounded-md px-2 py-1.5 text-left text-xs text-zinc-600 dark:text-zinc-400 hover:bg-zinc-100 hover:text-zinc-900 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
      >
        Sign out everywhere
      </button>
      <label className="flex items-center gap-2 px-2 text-xs text-zinc-600 dark:text-zinc-400">
        <input type="checkbox" name="revokeApiKeys" />
        and revoke my API keys
      </label>
    </form>
  );
}
