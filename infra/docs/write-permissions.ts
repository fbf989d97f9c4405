// `npm run docs:permissions`: rewrites the README's permission table from the matrix.
import { readFileSync, writeFileSync } from "node:fs";
import { withPermissionsTable } from "../../server/auth/permissions-doc.ts";

writeFileSync("README.md", withPermissionsTable(readFileSync("README.md", "utf8")));
console.log("README.md: permission table updated");
