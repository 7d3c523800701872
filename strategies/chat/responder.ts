import type { ChatAction, ChatObservation, ChatStrategy } from '../../src/protocols/chat/bot.ts';

export interface ResponderRule {
  readonly keyword: string;
  readonly reply: string;
}

/** `hello=Hi there;price=Five coins` into rules; a rule without `=` is an error, so typos do not pass silently. */
export function parseRules(text: string): ResponderRule[] {
  return text
    .split(';')
    .map((r) => r.trim())
    .filter(Boolean)
    .map((r) => {
      const eq = r.indexOf('=');
      if (eq <= 0) throw new Error(`responder rule "${r}" is not keyword=reply`);
      return { keyword: r.slice(0, eq).trim().toLowerCase(), reply: r.slice(eq + 1).trim() };
    });
}

/**
 * Answers messages that contain a keyword (whole word, any case) with that rule's reply; the first matching
 * rule wins. Without a match it says `fallback`, or nothing when that is empty. Accepts every contact.
 */
export function responderStrategy(options: { rules: readonly ResponderRule[]; fallback?: string }): ChatStrategy {
  const rules = options.rules.map((r) => ({
    ...r,
    pattern: new RegExp(
      `(^|[^\\p{L}\\p{N}])${r.keyword.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}\\p{N}])`,
      'iu',
    ),
  }));
  return {
    name: 'chat-responder',
    decide(observation: ChatObservation): ChatAction {
      if (observation.kind === 'contact-request') return { contacts: [observation.from] };
      if (observation.kind !== 'message' || !observation.from) return {};
      const rule = rules.find((r) => r.pattern.test(observation.text));
      const reply = rule?.reply ?? options.fallback ?? '';
      return reply ? { send: [{ to: observation.from, text: reply }] } : {};
    },
  };
}
