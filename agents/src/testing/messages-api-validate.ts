/**
 * The checks the Messages API makes on a request body before the model sees it, as far as an
 * agent's requests go: returns the API's kind of message for the first problem, or null.
 */

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const BLOCK_TYPES = new Set(['text', 'image', 'document', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking']);

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

export function validateMessagesRequest(body: unknown): string | null {
  if (!isObj(body)) return 'the request body must be a JSON object';
  if (typeof body.model !== 'string' || !body.model) return 'model: Field required';
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1)
    return 'max_tokens: Input should be a positive integer';
  if (body.stream === true) return 'stream: this stand-in answers without streaming';
  if (body.thread !== undefined) return 'thread: Extra inputs are not permitted';
  if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system))
    return 'system: Input should be a string or a list of text blocks';
  const tools = body.tools ?? [];
  if (!Array.isArray(tools)) return 'tools: Input should be a valid list';
  const names = new Set<string>();
  for (const [i, t] of tools.entries()) {
    if (!isObj(t)) return `tools.${i}: Input should be an object`;
    if (t.type !== undefined && t.type !== 'custom') return `tools.${i}.type: only custom tools are scripted here`;
    if (typeof t.name !== 'string' || !TOOL_NAME.test(t.name))
      return `tools.${i}.name: String should match pattern '${TOOL_NAME.source}'`;
    if (names.has(t.name)) return `tools: Tool names must be unique (${t.name})`;
    names.add(t.name);
    if (t.description !== undefined && typeof t.description !== 'string')
      return `tools.${i}.description: Input should be a valid string`;
    if (!isObj(t.input_schema) || t.input_schema.type !== 'object')
      return `tools.${i}.input_schema.type: Input should be 'object'`;
  }
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return 'messages: at least one message is required';
  let prevToolUses: string[] = [];
  for (const [i, m] of messages.entries()) {
    if (!isObj(m)) return `messages.${i}: Input should be an object`;
    if (m.role !== 'user' && m.role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (i === 0 && m.role !== 'user') return 'messages: first message must use the "user" role';
    if (i > 0 && (messages[i - 1] as Obj).role === m.role)
      return `messages: roles must alternate between "user" and "assistant", but found multiple "${m.role}" roles in a row`;
    const blocks = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
    if (!Array.isArray(blocks) || blocks.length === 0)
      return `messages.${i}.content: must be a string or a non-empty list`;
    for (const [j, b] of blocks.entries()) {
      if (!isObj(b) || typeof b.type !== 'string' || !BLOCK_TYPES.has(b.type))
        return `messages.${i}.content.${j}.type: unknown content block type`;
      if (b.type === 'text' && typeof b.text !== 'string') return `messages.${i}.content.${j}.text: Field required`;
      if (b.type === 'tool_use' && m.role !== 'assistant')
        return `messages.${i}.content.${j}: tool_use blocks are only allowed in assistant messages`;
      if (b.type === 'tool_result' && m.role !== 'user')
        return `messages.${i}.content.${j}: tool_result blocks are only allowed in user messages`;
      if (b.type === 'tool_use' && (typeof b.id !== 'string' || typeof b.name !== 'string' || !isObj(b.input)))
        return `messages.${i}.content.${j}: tool_use needs id, name and an object input`;
    }
    if (m.role === 'user') {
      const results = blocks.filter((b) => (b as Obj).type === 'tool_result') as Obj[];
      for (const r of results)
        if (!prevToolUses.includes(r.tool_use_id as string))
          return `messages.${i}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(r.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      const answered = new Set(results.map((r) => r.tool_use_id));
      const missing = prevToolUses.filter((id) => !answered.has(id));
      if (missing.length)
        return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
      if (results.length && blocks.findIndex((b) => (b as Obj).type !== 'tool_result') > -1) {
        const firstOther = blocks.findIndex((b) => (b as Obj).type !== 'tool_result');
        if (firstOther < results.length)
          return `messages.${i}.content: tool_result blocks must come first in the message content`;
      }
      prevToolUses = [];
    } else {
      prevToolUses = (blocks as Obj[]).filter((b) => b.type === 'tool_use').map((b) => b.id as string);
      for (const b of blocks as Obj[])
        if (b.type === 'tool_use' && !names.has(b.name as string))
          return `messages.${i}: tool_use names a tool the request does not define: ${String(b.name)}`;
    }
  }
  if (prevToolUses.length && (messages.at(-1) as Obj).role === 'assistant')
    return 'messages: the final assistant turn has tool_use blocks without their tool_result';
  return null;
}
