-- Audit events become a hash chain per organisation (and one for the platform).

-- DropIndex
DROP INDEX "AuditEvent_orgId_occurredAt_idx";

-- AlterTable: events recorded before chaining keep a null seq/hash and their chain name.
ALTER TABLE "AuditEvent" ADD COLUMN "chain" TEXT,
ADD COLUMN     "hash" TEXT,
ADD COLUMN     "prevHash" TEXT,
ADD COLUMN     "seq" INTEGER,
ALTER COLUMN "occurredAt" DROP DEFAULT;
UPDATE "AuditEvent" SET "chain" = COALESCE("orgId", 'platform');
ALTER TABLE "AuditEvent" ALTER COLUMN "chain" SET NOT NULL;

-- CreateIndex
CREATE INDEX "AuditEvent_chain_action_seq_idx" ON "AuditEvent"("chain", "action", "seq");

-- CreateIndex
CREATE INDEX "AuditEvent_chain_actorId_seq_idx" ON "AuditEvent"("chain", "actorId", "seq");

-- CreateIndex
CREATE INDEX "AuditEvent_chain_targetId_seq_idx" ON "AuditEvent"("chain", "targetId", "seq");

-- CreateIndex
CREATE INDEX "AuditEvent_chain_occurredAt_idx" ON "AuditEvent"("chain", "occurredAt");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_chain_seq_key" ON "AuditEvent"("chain", "seq");

-- History is append-only: no UPDATE, no DELETE, whoever asks. (Tamper tests disable the
-- trigger as a database owner could, and expect `audit:verify` to notice.)
CREATE FUNCTION corral_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "AuditEvent_append_only"
  BEFORE UPDATE OR DELETE ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION corral_audit_append_only();

CREATE TRIGGER "AuditEvent_no_truncate"
  BEFORE TRUNCATE ON "AuditEvent"
  FOR EACH STATEMENT EXECUTE FUNCTION corral_audit_append_only();
