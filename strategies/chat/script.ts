import type { ChatAction, ChatObservation, ChatStrategy } from '../../src/protocols/chat/bot.ts';

export interface ScriptOptions {
  /** The one user this bot talks to. */
  readonly partner: string;
  /** Its lines, in order. */
  readonly lines: readonly string[];
  /** Whether this bot speaks first (once the contact is confirmed) or waits for the partner's first line. */
  readonly starts: boolean;
  /** Log out after its last line. */
  readonly leaveAtEnd: boolean;
}

/**
 * A scripted conversation: asks `partner` to be a contact, then says its next line each time the partner
 * speaks (or right away when it starts). Messages from anyone else are ignored.
 */
export function scriptStrategy(options: ScriptOptions): ChatStrategy {
  const partner = options.partner.toLowerCase();
  let next = 0;
  let started = false;
  const say = (): ChatAction => {
    const line = options.lines[next];
    if (line === undefined) return options.leaveAtEnd ? { leave: true } : {};
    next++;
    const done = next >= options.lines.length && options.leaveAtEnd;
    return { send: [{ to: options.partner, text: line }], ...(done ? { leave: true } : {}) };
  };
  return {
    name: 'chat-script',
    decide(observation: ChatObservation): ChatAction {
      switch (observation.kind) {
        case 'start':
          return { contacts: [options.partner] };
        case 'contact-request':
          return observation.from.toLowerCase() === partner ? { contacts: [observation.from] } : {};
        case 'contact-confirmed':
          if (observation.contact.toLowerCase() !== partner || !options.starts || started) return {};
          started = true;
          return say();
        case 'message':
          return observation.from.toLowerCase() === partner ? say() : {};
      }
    },
  };
}
