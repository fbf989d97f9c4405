import { canGrant, roles } from "@/server/auth/permissions.ts";
import type { Role } from "@/server/db/generated/enums.ts";

/** The roles someone with `myRole` may hand out, as <option>s. */
export function RoleOptions({ myRole }: { myRole: Role }) {
  return roles
    .filter((r) => canGrant(myRole, r))
    .map((r) => (
      <option key={r} value={r}>
        {r.toLowerCase()}
      </option>
    ));
}
