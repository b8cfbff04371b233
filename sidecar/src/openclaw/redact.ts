/**
 * Secret redaction for everything that leaves the machine: log lines, config dumps, command
 * output. Over-redacting is acceptable; leaking a key is not. [SPEC 5.4]
 */
const PATTERNS: [RegExp, string][] = [
  // provider keys and well-known token shapes
  [/\bsk-(?:ant-|proj-|or-)?[A-Za-z0-9_-]{8,}/g, 'sk-[redacted]'],
  [/\b(?:xox[abposr]|xapp)-[A-Za-z0-9-]{8,}/g, '[redacted-slack-token]'],
  [/\b\d{6,12}:[A-Za-z0-9_-]{30,}\b/g, '[redacted-telegram-token]'],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, '[redacted-github-token]'],
  [/\bAKIA[0-9A-Z]{16}\b/g, '[redacted-aws-key]'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '[redacted-jwt]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  // key=value / "key": "value" with a secret-sounding key
  [
    /((?:api[_-]?key|apikey|token|secret|password|passwd|pwd|authorization|bot[_-]?token|app[_-]?token|signing[_-]?secret|access[_-]?key|private[_-]?key|client[_-]?secret)["']?\s*[:=]\s*["']?)([^"'\s,;}&]{3,})/gi,
    '$1[redacted]',
  ],
  // credentials in URLs
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)([^@\s/]+)(@)/gi, '$1[redacted]$3'],
];

/** Redacts secrets in free text. */
export function redactText(text: string): string {
  let out = text;
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
  return out;
}

const SECRET_KEY = /(token|secret|password|passwd|apikey|api_key|key$|authorization|credential|cookie|signing)/i;

/** Deep copy of a config object with every secret-looking value replaced by "[redacted]". */
export function redactObject(value: unknown, depth = 0): unknown {
  if (depth > 32) return '[redacted: too deep]';
  if (Array.isArray(value)) return value.map((v) => redactObject(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_KEY.test(k) && v !== null && typeof v !== 'object' && typeof v !== 'boolean') out[k] = '[redacted]';
      else out[k] = redactObject(v, depth + 1);
    }
    return out;
  }
  return typeof value === 'string' ? redactText(value) : value;
}
