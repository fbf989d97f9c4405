"use server";
import { signOut } from "@/server/auth/auth.ts";

export async function signOutAction() {
  await signOut({ redirectTo: "/sign-in" });
}
