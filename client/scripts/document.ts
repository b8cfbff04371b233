import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHub } from '@deepsignal/hub';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import pino from 'pino';

/** Where the generated types live (committed; `npm run generate -w client` rewrites them). */
export const SCHEMA_FILE = fileURLToPath(new URL('../src/schema.d.ts', import.meta.url));

const HEADER = `/**
 * The hub API's types, generated from its OpenAPI document by openapi-typescript.
 * Do not edit: run \`npm run generate -w client\` after changing a route.
 */

`;

/** The OpenAPI document of a hub started for the purpose (PGlite in a temp dir, ports 0, docs on). */
export async function hubDocument(): Promise<OpenAPI3> {
  const dataDir = mkdtempSync(join(tmpdir(), 'client-gen-'));
  const hub = await startHub({
    httpPort: 0,
    mqttPort: 0,
    dataDir,
    apiDocs: true,
    agents: 'off',
    logger: pino({ level: 'warn' }),
  });
  try {
    return await fetchDocument(hub.httpUrl);
  } finally {
    await hub.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function fetchDocument(hubUrl: string): Promise<OpenAPI3> {
  const res = await fetch(`${hubUrl}/docs/json`);
  if (!res.ok) throw new Error(`GET /docs/json: ${res.status} (is DS_API_DOCS off?)`);
  return (await res.json()) as OpenAPI3;
}

/** The TypeScript the client's types file holds for a document. */
export async function renderTypes(doc: OpenAPI3): Promise<string> {
  return HEADER + astToString(await openapiTS(doc, { alphabetize: true }));
}
