import type { BotContext, BotDefinition } from '../src/core/strategy.ts';
import { Setting, settingsSchema } from '../src/game/settings.ts';
import type { ChatAction, ChatObservation } from '../src/protocols/chat/bot.ts';
import { echoStrategy, parseRules, responderStrategy, scriptStrategy } from '../strategies/chat/index.ts';

type ChatBot = BotDefinition<ChatObservation, ChatAction, BotContext>;

const text = (value: string | number | boolean | undefined, fallback = ''): string =>
  value === undefined ? fallback : String(value);

/** Chat bots: strategies over chat events, run by `runChatBot` (src/protocols/chat/bot.ts). */
export const chatBots: readonly ChatBot[] = [
  {
    name: 'chat-echo',
    game: 'chat',
    description: 'accepts every contact and sends each message back to its sender',
    params: settingsSchema({
      prefix: Setting.text({ minLength: 0, default: '', help: 'text put before each echoed message' }),
    }),
    create: ({ params }) => echoStrategy({ prefix: text(params.prefix) }),
  } satisfies ChatBot,
  {
    name: 'chat-script',
    game: 'chat',
    description: 'befriends one partner and plays a scripted conversation, one line per partner message',
    params: settingsSchema({
      partner: Setting.text({ minLength: 0, maxLength: 64, default: '', help: 'the username to talk to (required)' }),
      lines: Setting.text({ default: 'Hello!|How are you?|Bye!', help: 'the lines to say, separated by |' }),
      starts: Setting.boolean({ default: true, help: 'says the first line without waiting' }),
      leave: Setting.boolean({ default: false, help: 'logs out after the last line' }),
    }),
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
    params: settingsSchema({
      rules: Setting.text({
        default:
          'hello=Hello! How can I help?;help=Ask me about price or hours;price=It costs 5 coins;hours=Open 9 to 5',
        help: 'keyword=reply pairs, separated by ;',
      }),
      fallback: Setting.text({ minLength: 0, default: '', help: 'the reply when no keyword matches (empty: none)' }),
    }),
    create: ({ params }) =>
      responderStrategy({ rules: parseRules(text(params.rules)), fallback: text(params.fallback) }),
  } satisfies ChatBot,
];
