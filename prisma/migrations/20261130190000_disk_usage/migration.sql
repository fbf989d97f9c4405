-- AlterTable
ALTER TABLE "Agent" ADD COLUMN     "workspaceMeasuredAt" TIMESTAMP(3),
ADD COLUMN     "workspaceSizeBytes" BIGINT,
ADD COLUMN     "workspaceUsedBytes" BIGINT;

-- AlterTable
ALTER TABLE "Sandbox" ADD COLUMN     "storageMeasuredAt" TIMESTAMP(3),
ADD COLUMN     "storageSizeBytes" BIGINT,
ADD COLUMN     "storageUsedBytes" BIGINT;
