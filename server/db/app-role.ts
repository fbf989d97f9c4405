// How the application's connections present themselves to PostgreSQL: as `corral_app`, a
// role that cannot bypass row-level security (prisma/migrations/*_row_level_security), with
// system scope ('*') until a transaction narrows it to one organisation (tenant-scope.ts).
// Set in the connection's startup packet, so a missing role fails the connection loudly
// instead of silently running as the table owner.

export const appRole = "corral_app";

/** The scope a fresh connection has: every tenant. Tenant procedures narrow it. */
export const systemScope = "*";

/** node-postgres `options` for a connection acting as the application role. */
export const appConnectionOptions = `-c role=${appRole} -c corral.org_id=${systemScope}`;
