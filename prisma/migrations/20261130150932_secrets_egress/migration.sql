-- CreateEnum
CREATE TYPE "EgressPreset" AS ENUM ('NONE', 'MODEL_PROVIDER', 'CUSTOM');

-- AlterTable
ALTER TABLE "Agent" ADD COLUMN     "egressPreset" "EgressPreset" NOT NULL DEFAULT 'NONE',
ADD COLUMN     "egressRules" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "quarantineReason" TEXT,
ADD COLUMN     "quarantinedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "egressCeiling" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "egressCeilingOn" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "Secret" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "valueSealed" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rotatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "Secret_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SecretGrant" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "secretId" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "hosts" TEXT[],
    "pathPrefix" TEXT,
    "headerName" TEXT NOT NULL,
    "headerTemplate" TEXT NOT NULL,
    "placeholderEnv" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SecretGrant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SecretUse" (
    "id" BIGSERIAL NOT NULL,
    "orgId" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "secretId" TEXT NOT NULL,
    "secretName" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "host" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "bytes" BIGINT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SecretUse_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EgressDecision" (
    "id" BIGSERIAL NOT NULL,
    "orgId" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "allowed" BOOLEAN NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "status" INTEGER,

    CONSTRAINT "EgressDecision_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Secret_orgId_name_key" ON "Secret"("orgId", "name");

-- CreateIndex
CREATE INDEX "SecretGrant_orgId_idx" ON "SecretGrant"("orgId");

-- CreateIndex
CREATE INDEX "SecretGrant_secretId_idx" ON "SecretGrant"("secretId");

-- CreateIndex
CREATE UNIQUE INDEX "SecretGrant_agentId_secretId_key" ON "SecretGrant"("agentId", "secretId");

-- CreateIndex
CREATE INDEX "SecretUse_orgId_id_idx" ON "SecretUse"("orgId", "id");

-- CreateIndex
CREATE INDEX "SecretUse_agentId_id_idx" ON "SecretUse"("agentId", "id");

-- CreateIndex
CREATE INDEX "SecretUse_secretId_id_idx" ON "SecretUse"("secretId", "id");

-- CreateIndex
CREATE INDEX "EgressDecision_agentId_id_idx" ON "EgressDecision"("agentId", "id");

-- AddForeignKey
ALTER TABLE "Secret" ADD CONSTRAINT "Secret_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SecretGrant" ADD CONSTRAINT "SecretGrant_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SecretGrant" ADD CONSTRAINT "SecretGrant_secretId_fkey" FOREIGN KEY ("secretId") REFERENCES "Secret"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SecretGrant" ADD CONSTRAINT "SecretGrant_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SecretUse" ADD CONSTRAINT "SecretUse_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SecretUse" ADD CONSTRAINT "SecretUse_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EgressDecision" ADD CONSTRAINT "EgressDecision_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EgressDecision" ADD CONSTRAINT "EgressDecision_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE CASCADE ON UPDATE CASCADE;
