import { writeFileSync } from 'node:fs';
import { hubDocument, renderTypes, SCHEMA_FILE } from './document.js';

/** Regenerates src/schema.d.ts from the OpenAPI document of the hub in this repository. */
const types = await renderTypes(await hubDocument());
writeFileSync(SCHEMA_FILE, types);
process.stdout.write(`wrote ${SCHEMA_FILE} (${types.length} characters)\n`);
