-- CreateEnum
CREATE TYPE "Isolation" AS ENUM ('MICROVM', 'CONTAINER');

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "isolation" "Isolation",
ADD COLUMN     "isolationLocked" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Sandbox" ADD COLUMN     "isolation" "Isolation";
