// Input shapes shared by forms (validation as you type) and the server (validation on receipt).
import { z } from "zod";

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, "Enter your email address")
  .pipe(z.email("Enter a valid email address"));

export const signInSchema = z.object({
  email: emailSchema,
  password: z.string().min(1, "Enter your password").max(1024, "That password is too long"),
});

export type SignInInput = z.infer<typeof signInSchema>;
