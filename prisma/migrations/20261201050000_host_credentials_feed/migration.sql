-- A host's row is kept in memory to authenticate its calls (server/fleet/enrolment.ts): what
-- that copy answers with must announce its changes. Heartbeats rewrite the row every few
-- seconds; only these columns matter (a revocation or a new credential at once).
DROP TRIGGER "WorkerHost_renamed" ON "WorkerHost";
CREATE TRIGGER "WorkerHost_changed" AFTER UPDATE OF name, labels, "capacityMillis",
  "capacityMemoryMb", "credentialHash", "revokedAt" ON "WorkerHost"
  FOR EACH ROW WHEN (
    OLD.name IS DISTINCT FROM NEW.name
    OR OLD.labels IS DISTINCT FROM NEW.labels
    OR OLD."capacityMillis" IS DISTINCT FROM NEW."capacityMillis"
    OR OLD."capacityMemoryMb" IS DISTINCT FROM NEW."capacityMemoryMb"
    OR OLD."credentialHash" IS DISTINCT FROM NEW."credentialHash"
    OR OLD."revokedAt" IS DISTINCT FROM NEW."revokedAt")
  EXECUTE FUNCTION corral_notify_change('host', 'id');
CREATE TRIGGER "WorkerHost_removed" AFTER DELETE ON "WorkerHost"
  FOR EACH ROW EXECUTE FUNCTION corral_notify_change('host', 'id');
