-- The change feed: rows that the web process keeps in memory (server/core/read-cache.ts)
-- announce their own changes, so no code path can forget to. Each trigger names a tag
-- prefix and the column that keys it; a write sends `corral_changes` with `<prefix>:<key>`
-- (for the old and the new key when an update moves a row), delivered on commit. Updates
-- that change nothing send nothing.
CREATE FUNCTION corral_notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  old_key text;
  new_key text;
BEGIN
  IF TG_OP = 'UPDATE' AND to_jsonb(OLD) = to_jsonb(NEW) THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    old_key := to_jsonb(OLD) ->> TG_ARGV[1];
  END IF;
  IF TG_OP <> 'DELETE' THEN
    new_key := to_jsonb(NEW) ->> TG_ARGV[1];
  END IF;
  IF old_key IS NOT NULL THEN
    PERFORM pg_notify('corral_changes', TG_ARGV[0] || ':' || old_key);
  END IF;
  IF new_key IS NOT NULL AND new_key IS DISTINCT FROM old_key THEN
    PERFORM pg_notify('corral_changes', TG_ARGV[0] || ':' || new_key);
  END IF;
  RETURN NULL;
END
$$;

-- Who is asking: sessions, API keys, the people behind them, their memberships.
CREATE TRIGGER "Session_changed" AFTER UPDATE OR DELETE ON "Session"
  FOR EACH ROW EXECUTE FUNCTION corral_notify_change('session', 'id');
CREATE TRIGGER "ApiKey_changed" AFTER UPDATE OR DELETE ON "ApiKey"
  FOR EACH ROW EXECUTE FUNCTION corral_notify_change('apikey', 'id');
CREATE TRIGGER "User_changed" AFTER UPDATE OR DELETE ON "User"
  FOR EACH ROW EXECUTE FUNCTION corral_notify_change('user', 'id');
CREATE TRIGGER "Membership_changed" AFTER INSERT OR UPDATE OR DELETE ON "Membership"
  FOR EACH ROW EXECUTE FUNCTION corral_notify_change('user', 'userId');
CREATE TRIGGER "Organization_changed" AFTER UPDATE OR DELETE ON "Organization"
  FOR EACH ROW EXECUTE FUNCTION corral_notify_change('org', 'id');

-- An organisation's agents page: its agents, its sandbox, and the name of that sandbox's
-- host (a host's heartbeats change its row every few seconds; only a new name matters).
CREATE TRIGGER "Agent_changed" AFTER INSERT OR UPDATE OR DELETE ON "Agent"
  FOR EACH ROW EXECUTE FUNCTION corral_notify_change('agents', 'orgId');
CREATE TRIGGER "Sandbox_changed" AFTER INSERT OR UPDATE OR DELETE ON "Sandbox"
  FOR EACH ROW EXECUTE FUNCTION corral_notify_change('agents', 'orgId');
CREATE TRIGGER "WorkerHost_renamed" AFTER UPDATE OF name ON "WorkerHost"
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
  EXECUTE FUNCTION corral_notify_change('host', 'id');
