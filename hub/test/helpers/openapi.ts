import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';

/** Hetzner's OpenAPI document (shared reference data, never read at run time by the hub). */
const SPEC_PATH = fileURLToPath(new URL('../fixtures/hcloud/hcloud-openapi.json', import.meta.url));

/** OpenAPI 3.0 `nullable` as JSON Schema: `anyOf: [schema, null]` (Ajv wants a type beside nullable). */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === 'example' || k === 'examples') continue;
    out[k] = toJsonSchema(v);
  }
  if (out.nullable === true) {
    delete out.nullable;
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

export interface SpecValidator {
  /** Errors of a response against the documented schema for method, path template and status ([] = valid). */
  check(method: string, pathTemplate: string, status: number, body: unknown): string[];
  available: boolean;
}

export function hetznerSpec(): SpecValidator {
  let doc: {
    paths: Record<
      string,
      Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>
    >;
    components: unknown;
  };
  try {
    doc = JSON.parse(readFileSync(SPEC_PATH, 'utf8'));
  } catch {
    return { available: false, check: () => ['the OpenAPI document is not readable'] };
  }
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: 'hcloud', components: toJsonSchema(doc.components) } as object);
  const cache = new Map<string, ValidateFunction>();
  return {
    available: true,
    check(method, pathTemplate, status, body) {
      const op = doc.paths[pathTemplate]?.[method.toLowerCase()];
      if (!op) return [`no operation ${method} ${pathTemplate} in the document`];
      const key = String(status) in op.responses ? String(status) : `${String(status)[0]}xx`;
      const resp = op.responses[key];
      if (!resp) return [`status ${status} is not documented for ${method} ${pathTemplate}`];
      const schema = resp.content?.['application/json']?.schema;
      if (!schema) return body === undefined || body === null ? [] : ['a body where the document has none'];
      const id = `${method} ${pathTemplate} ${key}`;
      let v = cache.get(id);
      if (!v) {
        const s = JSON.parse(JSON.stringify(toJsonSchema(schema)).replaceAll('"#/components/', '"hcloud#/components/'));
        v = ajv.compile(s as object);
        cache.set(id, v);
      }
      if (v(body)) return [];
      return (v.errors ?? [])
        .slice(0, 8)
        .map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
    },
  };
}
