-- The worker fleet: host enrolment and credentials, sandboxes and their placement, agents with
-- desired and observed state, their history, logs and stats; organisation quotas; operators.
-- CreateEnum
CREATE TYPE "SandboxState" AS ENUM ('PENDING', 'PROVISIONING', 'READY', 'FAILED');

-- CreateEnum
CREATE TYPE "AgentDesiredState" AS ENUM ('RUNNING', 'STOPPED');

-- CreateEnum
CREATE TYPE "AgentObservedState" AS ENUM ('PENDING', 'PROVISIONING', 'RUNNING', 'STOPPING', 'STOPPED', 'FAILED', 'CRASH_LOOPING');

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "agentLimit" INTEGER NOT NULL DEFAULT 10,
ADD COLUMN     "cpuQuotaMillis" INTEGER NOT NULL DEFAULT 2000,
ADD COLUMN     "memoryQuotaMb" INTEGER NOT NULL DEFAULT 2048,
ADD COLUMN     "placementLabels" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "isOperator" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "WorkerHost" ADD COLUMN     "capacityMemoryMb" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "capacityMillis" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "cordoned" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "credentialHash" TEXT,
ADD COLUMN     "credentialPrefix" TEXT,
ADD COLUMN     "desiredVersion" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "draining" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "driver" TEXT NOT NULL DEFAULT 'engine-container',
ADD COLUMN     "driverHealthy" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "driverReason" TEXT,
ADD COLUMN     "lostAt" TIMESTAMP(3),
ADD COLUMN     "revokedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "EnrolmentToken" (
    "id" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "hostId" TEXT,

    CONSTRAINT "EnrolmentToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Sandbox" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "hostId" TEXT,
    "state" "SandboxState" NOT NULL DEFAULT 'PENDING',
    "reason" TEXT,
    "placedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Sandbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Agent" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "image" TEXT NOT NULL,
    "command" TEXT[],
    "env" JSONB NOT NULL DEFAULT '{}',
    "cpuMillis" INTEGER NOT NULL,
    "memoryMb" INTEGER NOT NULL,
    "workspaceMb" INTEGER NOT NULL,
    "generation" INTEGER NOT NULL DEFAULT 1,
    "desiredState" "AgentDesiredState" NOT NULL DEFAULT 'STOPPED',
    "observedState" "AgentObservedState" NOT NULL DEFAULT 'STOPPED',
    "observedReason" TEXT,
    "observedGeneration" INTEGER,
    "restartCount" INTEGER NOT NULL DEFAULT 0,
    "startedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Agent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AgentEvent" (
    "id" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "state" "AgentObservedState",
    "message" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AgentEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AgentLogLine" (
    "id" BIGSERIAL NOT NULL,
    "agentId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "stream" TEXT NOT NULL,
    "text" TEXT NOT NULL,

    CONSTRAINT "AgentLogLine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AgentStatsSample" (
    "id" BIGSERIAL NOT NULL,
    "agentId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "cpuPercent" DOUBLE PRECISION NOT NULL,
    "memoryBytes" BIGINT NOT NULL,
    "memoryLimit" BIGINT NOT NULL,
    "pids" INTEGER NOT NULL,

    CONSTRAINT "AgentStatsSample_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "EnrolmentToken_tokenHash_key" ON "EnrolmentToken"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "Sandbox_orgId_key" ON "Sandbox"("orgId");

-- CreateIndex
CREATE INDEX "Sandbox_hostId_idx" ON "Sandbox"("hostId");

-- CreateIndex
CREATE UNIQUE INDEX "Agent_orgId_name_key" ON "Agent"("orgId", "name");

-- CreateIndex
CREATE INDEX "AgentEvent_agentId_createdAt_idx" ON "AgentEvent"("agentId", "createdAt");

-- CreateIndex
CREATE INDEX "AgentLogLine_agentId_id_idx" ON "AgentLogLine"("agentId", "id");

-- CreateIndex
CREATE INDEX "AgentStatsSample_agentId_at_idx" ON "AgentStatsSample"("agentId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "WorkerHost_credentialHash_key" ON "WorkerHost"("credentialHash");

-- AddForeignKey
ALTER TABLE "EnrolmentToken" ADD CONSTRAINT "EnrolmentToken_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "WorkerHost"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Sandbox" ADD CONSTRAINT "Sandbox_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Sandbox" ADD CONSTRAINT "Sandbox_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "WorkerHost"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Agent" ADD CONSTRAINT "Agent_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AgentEvent" ADD CONSTRAINT "AgentEvent_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AgentLogLine" ADD CONSTRAINT "AgentLogLine_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AgentStatsSample" ADD CONSTRAINT "AgentStatsSample_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

