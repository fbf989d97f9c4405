// `npm run api:client`: regenerates the REST API's OpenAPI document (openapi.json) and the
// typed client's types (schema.gen.ts) from the REST procedures.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  generatedClientFile,
  generatedClientSource,
  generatedDocumentFile,
  generatedDocumentSource,
} from "./client-source.ts";

writeFileSync(generatedDocumentFile, generatedDocumentSource());
console.log(`wrote ${fileURLToPath(generatedDocumentFile)}`);
writeFileSync(generatedClientFile, await generatedClientSource());
console.log(`wrote ${fileURLToPath(generatedClientFile)}`);
