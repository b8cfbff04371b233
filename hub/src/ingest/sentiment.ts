import Sentiment from 'sentiment';

const analyzer = new Sentiment();

/**
 * Sentiment of one conversation message in [-1, 1] (AFINN-165 via the `sentiment` library):
 * the comparative score (sum of word scores / word count) scaled so that a clearly positive or
 * negative message reaches the ends. `null` for text with no scorable words, so averages are not
 * pulled towards neutral by "ok" or emoji-only turns.
 */
export function sentimentOf(text: string): number | null {
  if (!text) return null;
  // Long texts are scored on their start: the tone is set early and scoring is linear in length.
  const r = analyzer.analyze(text.length > 4000 ? text.slice(0, 4000) : text);
  if (r.calculation.length === 0) return null;
  return Math.max(-1, Math.min(1, r.comparative / 2));
}
