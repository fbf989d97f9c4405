// `npm run api:client`: regenerates the typed client's types (schema.gen.ts) from the
// REST API's OpenAPI document.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { generatedClientFile, generatedClientSource } from "./client-source.ts";

writeFileSync(generatedClientFile, await generatedClientSource());
console.log(`wrote ${fileURLToPath(generatedClientFile)}`);
