import type { BotDefinition } from '../src/core/strategy.ts';
import type { ChatAction, ChatObservation } from '../src/protocols/chat/bot.ts';
import { echoStrategy, parseRules, responderStrategy, scriptStrategy } from '../strategies/chat/index.ts';

type ChatBot = BotDefinition<ChatObservation, ChatAction>;

const text = (value: string | number | boolean | undefined, fallback = ''): string =>
  value === undefined ? fallback : String(value);

/** Chat bots: strategies over chat events, run by `runChatBot` (src/protocols/chat/bot.ts). */
export const chatBots: readonly BotDefinition[] = [
  {
    name: 'chat-echo',
    game: 'chat',
    description: 'accepts every contact and sends each message back to its sender',
    params: { prefix: '' },
    create: ({ params }) => echoStrategy({ prefix: text(params.prefix) }),
  } satisfies ChatBot,
  {
    name: 'chat-script',
    game: 'chat',
    description: 'befriends one partner and plays a scripted conversation, one line per partner message',
    params: { partner: '', lines: 'Hello!|How are you?|Bye!', starts: true, leave: false },
    create: ({ params }) => {
      const partner = text(params.partner);
      if (!partner) throw new Error('chat-script needs partner=<username>');
      return scriptStrategy({
        partner,
        lines: text(params.lines).split('|').filter(Boolean),
        starts: params.starts !== false,
        leaveAtEnd: params.leave === true,
      });
    },
  } satisfies ChatBot,
  {
    name: 'chat-responder',
    game: 'chat',
    description: 'answers messages containing a keyword (rules keyword=reply;...), accepts every contact',
    params: {
      rules: 'hello=Hello! How can I help?;help=Ask me about price or hours;price=It costs 5 coins;hours=Open 9 to 5',
      fallback: '',
    },
    create: ({ params }) =>
      responderStrategy({ rules: parseRules(text(params.rules)), fallback: text(params.fallback) }),
  } satisfies ChatBot,
] as unknown as readonly BotDefinition[];
