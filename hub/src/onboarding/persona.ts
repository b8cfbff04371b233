import type { Personality } from './types.js';

const TONES: Record<Personality['tone'], string> = {
  friendly: 'Warm and friendly. Use plain words, short paragraphs, and a welcoming tone.',
  professional: 'Professional and precise. Courteous, clear, no slang.',
  playful: 'Light and playful, with a touch of humour, while staying helpful and accurate.',
  concise: 'Brief and to the point. Answer first, details only when asked.',
};

/** One-line description of a tone, shown in the preview and written to the persona. */
export const toneText = (t: Personality['tone']) => TONES[t];

/**
 * OpenClaw's persona files from the personality and company: SOUL.md (who the agent is and how it
 * speaks), AGENTS.md (its rules), IDENTITY.md (name, emoji, avatar). [FACTS: SOUL.md is the
 * persona, AGENTS.md the rules]
 */
export function personaFiles(
  p: Personality,
  company: { name: string; industry: string; useCase: string } | undefined,
): { 'SOUL.md': string; 'AGENTS.md': string; 'IDENTITY.md': string } {
  const who = company ? `${company.name}${company.industry ? ` (${company.industry})` : ''}` : 'the company';
  const soul = [
    `# ${p.name}`,
    '',
    `You are ${p.name}, the assistant of ${who}.`,
    company?.useCase ? `You help with: ${company.useCase}` : '',
    '',
    '## Voice',
    TONES[p.tone],
    '',
  ];
  const rules = [
    '# Rules',
    '',
    `- Speak for ${who}; never invent prices, policies or promises you were not given.`,
    '- When you do not know, say so and offer to pass the question to a person.',
    '- Keep customer data private; do not repeat personal details back unnecessarily.',
    '',
  ];
  if (p.instructions.trim()) rules.push('## Custom instructions', '', p.instructions.trim(), '');
  const identity = [
    '# Identity',
    '',
    `- Name: ${p.name}`,
    `- Emoji: ${p.emoji}`,
    p.avatar ? `- Avatar: ${p.avatar}` : '',
    `- Tone: ${p.tone}`,
    '',
  ];
  const text = (lines: string[]) => lines.filter((l, i, a) => l !== '' || a[i - 1] !== '').join('\n');
  return { 'SOUL.md': text(soul), 'AGENTS.md': text(rules), 'IDENTITY.md': text(identity) };
}
