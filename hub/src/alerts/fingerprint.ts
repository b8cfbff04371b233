import { createHash } from 'node:crypto';

/** Stable fingerprint of a label set (sorted keys), as Prometheus keys series by their labels. */
export function fingerprint(labels: Record<string, string>): string {
  const canon = Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
  return createHash('sha256').update(canon).digest('hex').slice(0, 16);
}

/** Alert id from its labels: `alr-<fingerprint>`. */
export const alertId = (labels: Record<string, string>) => `alr-${fingerprint(labels)}`;

/** `{{name}}` placeholders filled from values; unknown ones are left empty. */
export function renderTemplate(tpl: string, values: Record<string, string | number | null | undefined>): string {
  return tpl.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, k: string) => {
    const v = values[k];
    return v === null || v === undefined ? '' : String(v);
  });
}
