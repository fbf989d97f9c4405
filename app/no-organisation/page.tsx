import { redirect } from "next/navigation";
import { currentSession } from "@/server/auth/current-session.ts";
import { SignOutButton } from "../(dashboard)/_shell/sign-out-button.tsx";

export const dynamic = "force-dynamic";

export default async function NoOrganisation() {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  return (
    <main className="flex min-h-dvh items-center justify-center p-6">
      <div className="max-w-md space-y-3 text-center">
        <h1 className="text-xl font-semibold">You are not in an organisation yet</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Ask an administrator of your organisation to invite {session.user.email}.
        </p>
        <div className="mx-auto w-32">
          <SignOutButton />
        </div>
      </div>
    </main>
  );
}
