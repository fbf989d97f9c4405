// What `npm run api:client` writes, generated from the REST procedures: the OpenAPI
// document the web app serves (openapi.json) and the typed client's types from it
// (schema.gen.ts, by openapi-typescript). Both are committed, so the server never runs
// the generator, and a test fails when either is stale.
import openapiTS, { astToString } from "openapi-typescript";
import { openApiDocument } from "./document.ts";

export const generatedDocumentFile = new URL("./openapi.json", import.meta.url);
export const generatedClientFile = new URL("./schema.gen.ts", import.meta.url);

const header = `// Generated from the REST API's OpenAPI document by \`npm run api:client\`
// (server/openapi/client-source.ts). Do not edit: change the REST procedures and regenerate.
`;

export function generatedDocumentSource(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}

export async function generatedClientSource(): Promise<string> {
  // A copy: the generator must not see (or change) the document itself.
  const document = structuredClone(openApiDocument());
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0]);
  return `${header}\n${astToString(ast)}`;
}
