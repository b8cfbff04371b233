import type { AddressObject } from 'mailparser';

/** What the hub needs from a reply that came back by mail. */
export interface InboundMail {
  from: string | null;
  /** Tokens from plus-addresses of the recipients (support+t<token>@…). */
  tokens: string[];
  /** Message-IDs named by In-Reply-To and References. */
  references: string[];
  /** The new text, quoted history removed. */
  text: string;
  messageId: string | null;
}

const addresses = (a: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(a) ? a : a ? [a] : [])
    .flatMap((o) => o.value.map((v) => (v.address ?? '').toLowerCase()))
    .filter(Boolean);

const TOKEN = /\+t([0-9a-f]{24})@/i;

/**
 * Removes what a mail program quotes under a reply: `>` lines, and everything from an
 * "On … wrote:" line, an "-----Original Message-----" line or our own signature separator on.
 */
export function stripQuoted(text: string): string {
  const out: string[] = [];
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const joined = `${line} ${lines[i + 1] ?? ''}`;
    if (/^-{2,}\s*Original Message\s*-{2,}/i.test(line.trim())) break;
    if (/^On .+wrote:\s*$/i.test(line.trim()) || /^On .+ wrote:\s*$/i.test(joined.trim())) break;
    if (/^(From|Von|De):\s.+/.test(line) && /^(Sent|Date|Gesendet|Envoyé):\s/.test(lines[i + 1] ?? '')) break;
    if (line.trim() === '—' || line.trim() === '-- ') break;
    if (line.trimStart().startsWith('>')) continue;
    out.push(line);
  }
  return out.join('\n').trim();
}

export async function parseInbound(raw: Buffer): Promise<InboundMail> {
  // mailparser is loaded with the first inbound mail, not with the hub.
  const { simpleParser } = await import('mailparser');
  const m = await simpleParser(raw);
  const rcpt = [...addresses(m.to), ...addresses(m.cc)];
  const delivered = m.headers.get('delivered-to');
  if (typeof delivered === 'string') rcpt.push(delivered.toLowerCase());
  const tokens = rcpt.map((a) => TOKEN.exec(a)?.[1]?.toLowerCase()).filter((t): t is string => !!t);
  const refs = [
    ...(m.inReplyTo ? [m.inReplyTo] : []),
    ...(Array.isArray(m.references) ? m.references : m.references ? [m.references] : []),
  ].flatMap((r) => r.split(/\s+/).filter(Boolean));
  const text = m.text ?? (m.html ? m.html.replace(/<[^>]+>/g, ' ') : '');
  return {
    from: addresses(m.from)[0] ?? null,
    tokens: [...new Set(tokens)],
    references: [...new Set(refs)],
    text: stripQuoted(text),
    messageId: m.messageId ?? null,
  };
}
