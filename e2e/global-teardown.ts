import { dropDatabase } from "../server/db/database.ts";

export default async function teardown() {
  if (process.env.E2E_DATABASE_URL) await dropDatabase(process.env.E2E_DATABASE_URL);
}
