// Who is acting inside an organisation: the person (directly, or through one of their API
// keys), their role there, and how the audit log names the actor.
import type { AuditActor } from "../audit/record.ts";
import type { Role } from "../db/generated/enums.ts";
import type { SessionUser } from "./sessions.ts";

export interface Acting {
  user: SessionUser;
  role: Role;
  audit: AuditActor;
}
