import type { ChatAction, ChatObservation, ChatStrategy } from '../../src/protocols/chat/bot.ts';

/** Accepts every contact request and sends every message back to its sender, with an optional prefix. */
export function echoStrategy(options: { prefix?: string } = {}): ChatStrategy {
  const prefix = options.prefix ?? '';
  return {
    name: 'chat-echo',
    decide(observation: ChatObservation): ChatAction {
      switch (observation.kind) {
        case 'contact-request':
          return { contacts: [observation.from] };
        case 'message':
          return observation.from ? { send: [{ to: observation.from, text: `${prefix}${observation.text}` }] } : {};
        default:
          return {};
      }
    },
  };
}
