import type { BotContext, BotDefinition, StrategyOptions } from '../src/core/strategy.ts';
import { Setting, settingsSchema } from '../src/game/settings.ts';
import type { PeerAction, PeerObservation, PeerStrategy } from '../src/protocols/lekt/bot.ts';

const num = (params: StrategyOptions['params'], key: string, fallback: number) => {
  const v = params[key];
  return typeof v === 'number' ? v : fallback;
};

/** Heartbeats for as long as it runs. */
export function createSteadyPeer(): PeerStrategy {
  return { name: 'lekt-steady', decide: () => 'heartbeat' };
}

/**
 * After `minTicks` heartbeats, leaves with probability `leave` and vanishes (goes silent) with probability
 * `vanish` at each tick, drawn from the bot's own seeded stream: the same seed gives the same churn.
 */
export function createChurnPeer({ params }: StrategyOptions): PeerStrategy {
  const leave = num(params, 'leave', 0.05);
  const vanish = num(params, 'vanish', 0.02);
  const minTicks = num(params, 'minTicks', 3);
  return {
    name: 'lekt-churn',
    decide(observation: PeerObservation, ctx): PeerAction {
      if (observation.tick < minTicks) return 'heartbeat';
      const p = ctx.rng.next();
      if (p < leave) return 'leave';
      if (p < leave + vanish) return 'vanish';
      return 'heartbeat';
    },
  };
}

export const lektBots: BotDefinition<PeerObservation, PeerAction, BotContext>[] = [
  {
    name: 'lekt-steady',
    game: 'lekt',
    description: 'LEKT peer that heartbeats until the run ends',
    create: createSteadyPeer,
  },
  {
    name: 'lekt-churn',
    game: 'lekt',
    description: 'LEKT peer that leaves or vanishes at random (seeded) after a few heartbeats',
    params: settingsSchema({
      leave: Setting.number({ min: 0, max: 1, default: 0.05, help: 'chance to leave at each tick' }),
      vanish: Setting.number({ min: 0, max: 1, default: 0.02, help: 'chance to go silent at each tick' }),
      minTicks: Setting.integer({ min: 0, max: 1_000_000, default: 3, help: 'heartbeats before it may leave' }),
    }),
    create: createChurnPeer,
  },
];
