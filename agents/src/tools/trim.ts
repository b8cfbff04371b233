/** Most characters one tool result may hand the model: enough to judge, small enough to stay cheap. */
export const RESULT_MAX_CHARS = 8000;

/**
 * A hub answer as compact JSON for the model: lists cut to `maxItems` (saying how many were left
 * out) and the whole text cut to `maxChars`, so one chatty instance cannot flood the context.
 */
export function forModel(value: unknown, o: { maxItems?: number; maxChars?: number } = {}): string {
  const maxItems = o.maxItems ?? 50;
  const maxChars = o.maxChars ?? RESULT_MAX_CHARS;
  let v = value;
  if (Array.isArray(value) && value.length > maxItems)
    v = { items: value.slice(0, maxItems), omitted: value.length - maxItems };
  const text = JSON.stringify(v);
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}… [cut: ${text.length - maxChars} more characters; ask for less]`;
}
