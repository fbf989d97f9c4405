-- Audit retention (signed checkpoints, purge exception in the append-only trigger) and webhook sinks.
-- CreateEnum
CREATE TYPE "DeliveryOutcome" AS ENUM ('SUCCEEDED', 'FAILED');

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "auditRetentionDays" INTEGER;

-- CreateTable
CREATE TABLE "AuditCheckpoint" (
    "id" TEXT NOT NULL,
    "chain" TEXT NOT NULL,
    "throughSeq" INTEGER NOT NULL,
    "throughHash" TEXT NOT NULL,
    "purgedCount" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "AuditCheckpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditWebhook" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "secretSealed" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "cursorSeq" INTEGER NOT NULL,
    "consecutiveFailures" INTEGER NOT NULL DEFAULT 0,
    "lastSuccessAt" TIMESTAMP(3),
    "lastFailureAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditWebhook_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditWebhookDelivery" (
    "id" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "firstSeq" INTEGER NOT NULL,
    "lastSeq" INTEGER NOT NULL,
    "eventCount" INTEGER NOT NULL,
    "attempt" INTEGER NOT NULL,
    "outcome" "DeliveryOutcome" NOT NULL,
    "httpStatus" INTEGER,
    "error" TEXT,
    "durationMs" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditWebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AuditCheckpoint_chain_throughSeq_key" ON "AuditCheckpoint"("chain", "throughSeq");

-- CreateIndex
CREATE INDEX "AuditWebhook_orgId_idx" ON "AuditWebhook"("orgId");

-- CreateIndex
CREATE INDEX "AuditWebhookDelivery_webhookId_createdAt_idx" ON "AuditWebhookDelivery"("webhookId", "createdAt");

-- AddForeignKey
ALTER TABLE "AuditWebhook" ADD CONSTRAINT "AuditWebhook_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditWebhookDelivery" ADD CONSTRAINT "AuditWebhookDelivery_webhookId_fkey" FOREIGN KEY ("webhookId") REFERENCES "AuditWebhook"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- The retention purge is the one way audit events leave: a row may be deleted only once a
-- checkpoint for its chain covers it (the purge writes the checkpoint first, in the same
-- transaction). Updates and TRUNCATE stay refused.
CREATE OR REPLACE FUNCTION corral_audit_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND TG_LEVEL = 'ROW' AND OLD.seq IS NOT NULL AND EXISTS (
    SELECT 1 FROM "AuditCheckpoint" c WHERE c.chain = OLD.chain AND c."throughSeq" >= OLD.seq
  ) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

-- Checkpoints are history too.
CREATE FUNCTION corral_audit_checkpoint_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit checkpoints are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "AuditCheckpoint_append_only"
  BEFORE UPDATE OR DELETE ON "AuditCheckpoint"
  FOR EACH ROW EXECUTE FUNCTION corral_audit_checkpoint_append_only();

CREATE TRIGGER "AuditCheckpoint_no_truncate"
  BEFORE TRUNCATE ON "AuditCheckpoint"
  FOR EACH STATEMENT EXECUTE FUNCTION corral_audit_checkpoint_append_only();

-- "Contains" filters on actor and target names use trigram indexes (pg_trgm is a trusted
-- extension: the database owner may create it).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateIndex
CREATE INDEX "AuditEvent_actorName_idx" ON "AuditEvent" USING GIN ("actorName" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "AuditEvent_targetName_idx" ON "AuditEvent" USING GIN ("targetName" gin_trgm_ops);
