import Sentiment from 'sentiment';

/**
 * When a ticket goes to a person instead of the agent's own answer: the client asked for one, the
 * client is upset, or the agent has nothing to stand on. Plain rules, stated here.
 */

const HUMAN =
  /\b(human|real person|a person|someone real|talk to (?:a|an|some) ?(?:one|body|person|human)|speak (?:to|with) (?:a|an|some)|(?:your )?manager|not a bot|no bots?)\b/i;

const analyzer = new Sentiment();

/** Whether the client asks for a person (the automatic notice tells them to reply "human"). */
export const asksForHuman = (text: string) => HUMAN.test(text);

/**
 * The client's words scored as the hub scores conversation messages (AFINN-165, the comparative
 * score halved and clamped to [-1, 1]), with the negative words found.
 */
export function sentimentOf(text: string): { score: number; words: string[] } {
  const r = analyzer.analyze(text.slice(0, 4000));
  return { score: Math.round(Math.max(-1, Math.min(1, r.comparative / 2)) * 100) / 100, words: r.negative };
}

/**
 * At or below this score the client is upset enough for a person to answer: a plain report of a
 * fault ("our bot stopped answering") scores about -0.05, an angry one ("unacceptable, furious,
 * broken for days") about -0.2. Three or more negative words count as well, whatever the length.
 */
export const NEGATIVE_SENTIMENT = -0.15;
const NEGATIVE_WORDS = 3;

/**
 * Why the ticket goes to a person, or null. `latest` is the client's last message (a request for
 * a human counts from the last one only); `all` every client message; `grounded` is whether the
 * agent has a measured cause or an article to offer.
 */
export function escalationReason(latest: string, all: string, grounded: boolean): string | null {
  if (asksForHuman(latest)) return 'the client asked for a person';
  const s = sentimentOf(all);
  if (s.score <= NEGATIVE_SENTIMENT || s.words.length >= NEGATIVE_WORDS)
    return `negative sentiment (score ${s.score}: ${[...new Set(s.words)].slice(0, 5).join(', ')})`;
  if (!grounded) return 'the agent is unsure: no measured cause and no article that applies';
  return null;
}
