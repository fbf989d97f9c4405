import { z } from "zod";
import { roles } from "../auth/permissions.ts";
import { emailSchema } from "../auth/schemas.ts";

export const roleSchema = z.enum(roles, { error: "Choose a role" });

export const inviteMemberSchema = z.object({ email: emailSchema, role: roleSchema });
export const invitationIdSchema = z.object({ invitationId: z.string().min(1).max(64) });
