-- AlterTable
ALTER TABLE "EnrolmentToken" ADD COLUMN     "hostName" TEXT,
ADD COLUMN     "replaceHost" BOOLEAN NOT NULL DEFAULT false;
