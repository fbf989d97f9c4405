// Operator commands act on the database directly, through the same tRPC procedures the
// fleet page calls (createCaller), so their checks and audit events are the web app's. The
// caller is an operator of the deployment: the one named by --as (or CORRAL_OPERATOR), or
// the only one there is. Audit events name that person; the request is marked as the CLI's.
import { randomUUID } from "node:crypto";
import os from "node:os";
import type { AuditRequest } from "../audit/record.ts";
import type { Context } from "../core/trpc.ts";
import type { Db } from "../db/client.ts";
import { createCaller } from "../root-router.ts";
import { CliError } from "./io.ts";

/** What the audit log records as the request of a CLI command. */
export function cliRequest(): Required<AuditRequest> {
  let user = "unknown";
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers): the host name still says where.
  }
  return {
    ipAddress: null,
    userAgent: `corral-cli (${user}@${os.hostname()})`,
    requestId: randomUUID(),
  };
}

export async function operatorCaller(db: Db, email: string | undefined) {
  const operators = await db.user.findMany({
    where: { isOperator: true, ...(email && { email: email.trim().toLowerCase() }) },
    select: { id: true, email: true, name: true, emailVerifiedAt: true },
    orderBy: { createdAt: "asc" },
    take: 2,
  });
  const [operator] = operators;
  if (!operator) {
    throw new CliError(
      email
        ? `${email} is not an operator of this deployment.`
        : "This deployment has no operator yet: run `corral create-admin` first.",
    );
  }
  if (operators.length > 1) {
    throw new CliError("There are several operators: say who you are with --as <email>.");
  }
  const ctx: Context = {
    db,
    session: {
      // Not a browser session: the CLI holds the database itself.
      id: `cli-${randomUUID()}`,
      user: {
        id: operator.id,
        email: operator.email,
        name: operator.name,
        emailVerified: operator.emailVerifiedAt !== null,
      },
    },
    apiKey: null,
    request: cliRequest(),
  };
  return createCaller(ctx);
}
