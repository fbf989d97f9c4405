// The typed client's types, generated from the OpenAPI document by openapi-typescript.
// `npm run api:client` writes them to schema.gen.ts; a test fails when that file is stale.
import openapiTS, { astToString } from "openapi-typescript";
import { openApiDocument } from "./document.ts";

export const generatedClientFile = new URL("./schema.gen.ts", import.meta.url);

const header = `// Generated from the REST API's OpenAPI document by \`npm run api:client\`
// (server/openapi/client-source.ts). Do not edit: change the REST procedures and regenerate.
`;

export async function generatedClientSource(): Promise<string> {
  // A copy: the generator must not see (or change) the document the server answers with.
  const document = structuredClone(openApiDocument());
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0]);
  return `${header}\n${astToString(ast)}`;
}
