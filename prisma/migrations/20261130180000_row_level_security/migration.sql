-- Row-level security: a second wall between tenants, below the application.
--
-- The application's connections act as `corral_app` (server/db/client.ts sets the role when a
-- connection opens), a role that neither owns these tables nor has BYPASSRLS, so the policies
-- below always apply to it. Each transaction says whose rows it may touch in the setting
-- `corral.org_id`: an organisation's id (tenant procedures, server/db/tenant-scope.ts) or
-- '*' (system work that spans tenants: placement, the worker API, jobs, sign-in). A
-- connection that never says sees no tenant rows at all.

DO $$
BEGIN
  CREATE ROLE corral_app NOLOGIN NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- roles are per server: another database on it made it first
END
$$;

-- The migrating role must be able to SET ROLE to corral_app (a superuser always can).
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT corral_app TO %I', current_user);
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO corral_app;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO corral_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO corral_app;
-- Tables and sequences made by later migrations (run by this same role) are granted too.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO corral_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO corral_app;

-- Whether the current transaction may see rows of organisation `org`. Inlined by the planner.
CREATE FUNCTION corral_org_visible(org text) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT current_setting('corral.org_id', true) = '*'
            OR org = nullif(current_setting('corral.org_id', true), '') $$;

-- Tables that name their organisation.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'Membership', 'Invitation', 'ApiKey', 'AuditEvent', 'AuditWebhook', 'Sandbox', 'Agent',
    'Secret', 'SecretGrant', 'SecretUse', 'EgressDecision', 'Task', 'ModelPrice', 'Schedule'
  ] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_rows ON %I USING (corral_org_visible("orgId")) WITH CHECK (corral_org_visible("orgId"))',
      t);
  END LOOP;
END
$$;

ALTER TABLE "Organization" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON "Organization"
  USING (corral_org_visible(id)) WITH CHECK (corral_org_visible(id));

-- Tables that belong to a row above: visible when that row is (its own policy applies).
DO $$
DECLARE
  child record;
  visible text;
BEGIN
  FOR child IN SELECT * FROM (VALUES
    ('AuditWebhookDelivery', 'AuditWebhook', 'webhookId'),
    ('AgentEvent', 'Agent', 'agentId'),
    ('AgentLogLine', 'Agent', 'agentId'),
    ('AgentStatsSample', 'Agent', 'agentId'),
    ('TaskInput', 'Task', 'taskId'),
    ('TaskEvent', 'Task', 'taskId')
  ) AS c(tbl, parent, fk) LOOP
    visible := format(
      '(current_setting(''corral.org_id'', true) = ''*'' OR EXISTS (SELECT 1 FROM %I p WHERE p.id = %I))',
      child.parent, child.fk);
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', child.tbl);
    EXECUTE format('CREATE POLICY tenant_rows ON %I USING %s WITH CHECK %s',
      child.tbl, visible, visible);
  END LOOP;
END
$$;
