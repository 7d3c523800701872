import type { GameEngine, Seat } from '../core/engine.ts';
import type { Rng } from '../core/rng.ts';
import { silentLogger } from '../core/silent-logger.ts';
import type { BotDefinition, DecisionContext, Strategy, StrategyFactory, StrategyOptions } from '../core/strategy.ts';
import { Setting, settingsSchema } from '../game/settings.ts';
import { Mcts, MctsError } from './mcts.ts';
import type { MctsGame, MctsOptions, RolloutPolicy, RolloutPolicyFactory, SearchReport } from './types.ts';

/** A strategy that also tells what its last search did (tests and benchmarks read it). */
export interface MctsStrategy<O, A> extends Strategy<O, A> {
  readonly lastReport: SearchReport<A> | null;
}

/**
 * The MCTS strategy for one game. The effective budget per decision is the smaller of the bot's own
 * `iterations` and the runner's `ctx.budget.iterations` (the budget is what the runner allows a bot to
 * spend; a tournament's `--iterations` thus caps every searching bot alike).
 */
export function createMctsStrategy<S, A, O, C, X, E>(
  game: MctsGame<S, A, O, C, X, E>,
  options: MctsOptions,
  name = `${game.engine.id}-mcts`,
): MctsStrategy<O, A> {
  let search: Mcts<S, A, O, C, X, E> | null = null;
  return {
    name,
    get lastReport() {
      return search?.lastReport ?? null;
    },
    decide(observation: O, ctx: DecisionContext) {
      search ??= new Mcts(game, options);
      const action = search.search(observation, ctx.seat, ctx.model.config as C, ctx.rng, ctx.budget);
      const report = search.lastReport;
      if (report && ctx.log.isLevelEnabled('debug')) {
        ctx.log.debug(
          {
            iterations: report.iterations,
            reused: report.reusedVisits,
            ms: Math.round(report.elapsedMs * 10) / 10,
            top: report.arms.slice(0, 3).map((a) => ({ key: a.key, n: a.visits, v: Math.round(a.mean * 1000) / 1000 })),
          },
          'mcts decision',
        );
      }
      return action;
    },
  };
}

/** The parameters every MCTS bot accepts; a game gives its own defaults. */
export interface MctsDefaults {
  readonly iterations: number;
  readonly depth: number;
  readonly rollout: string;
  readonly c: number;
  readonly reuse: boolean;
}

function numberParam(params: StrategyOptions['params'], key: string, fallback: number): number {
  const value = params[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new MctsError(`mcts parameter ${key} must be a number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Reads `iterations`, `depth`, `rollout`, `c`, `reuse` from bot parameters over the game's defaults. */
export function mctsOptionsFromParams(params: StrategyOptions['params'], defaults: MctsDefaults): MctsOptions {
  const rollout = params.rollout ?? defaults.rollout;
  const reuse = params.reuse ?? defaults.reuse;
  if (typeof rollout !== 'string') throw new MctsError(`mcts parameter rollout must be a name, got ${rollout}`);
  if (typeof reuse !== 'boolean') throw new MctsError(`mcts parameter reuse must be true or false, got ${reuse}`);
  return {
    iterations: numberParam(params, 'iterations', defaults.iterations),
    depth: numberParam(params, 'depth', defaults.depth),
    exploration: numberParam(params, 'c', defaults.c),
    rollout,
    reuseTree: reuse,
  };
}

/** The parameters of every MCTS bot, with the game's defaults. */
export function mctsParams(defaults: MctsDefaults) {
  return settingsSchema({
    iterations: Setting.integer({
      min: 1,
      max: 10_000_000,
      default: defaults.iterations,
      help: 'simulations per decision (capped by the budget)',
    }),
    depth: Setting.integer({ min: 0, max: 100_000, default: defaults.depth, help: 'steps a rollout plays at most' }),
    rollout: Setting.text({ maxLength: 64, default: defaults.rollout, help: 'the rollout policy, by name' }),
    c: Setting.number({ min: 0, max: 100, default: defaults.c, help: 'UCT exploration constant' }),
    reuse: Setting.boolean({
      default: defaults.reuse,
      help: 'keep the subtree of the chosen move for the next decision',
    }),
  });
}

/**
 * A bot definition `<game>-mcts` for any game that supplies an `MctsGame`: the only thing a new game
 * writes to get a search bot (see strategies/galax/mcts.ts).
 */
export function mctsBotDefinition<S, A, O, C, X, E>(
  game: MctsGame<S, A, O, C, X, E>,
  defaults: MctsDefaults,
  description: string,
): BotDefinition<O, A> {
  const create: StrategyFactory<O, A> = ({ params }) =>
    createMctsStrategy(game, mctsOptionsFromParams(params, defaults));
  return {
    name: `${game.engine.id}-mcts`,
    game: game.engine.id,
    description,
    params: mctsParams(defaults),
    create,
  };
}

/**
 * A rollout policy that asks an ordinary strategy (a heuristic bot) what to do, through the observation it
 * would get in a real game. Each rollout gets fresh strategy objects, so per-game memory never carries from
 * one simulated future into another. The strategy must decide synchronously.
 */
export function strategyRollout<S, A, O, C, X, E>(
  engine: GameEngine<S, A, O, C, X, E>,
  factory: StrategyFactory<O, A>,
  params: StrategyOptions['params'] = {},
): RolloutPolicyFactory<S, A, C> {
  return (config: C): RolloutPolicy<S, A> => {
    let players: (Strategy<O, A> | undefined)[] = [];
    const contexts: DecisionContext[] = [];
    const model = { engine, config } as DecisionContext['model'];
    const contextFor = (seat: Seat, rng: Rng): DecisionContext => {
      const existing = contexts[seat];
      if (existing && existing.rng === rng) return existing;
      const ctx: DecisionContext = { seat, rng, budget: { iterations: 1 }, model, log: silentLogger };
      contexts[seat] = ctx;
      return ctx;
    };
    return {
      reset() {
        players = [];
      },
      act(state, seat, rng) {
        let player = players[seat];
        if (!player) {
          player = factory({ params });
          players[seat] = player;
        }
        const decided = player.decide(engine.observe(state, seat), contextFor(seat, rng));
        if (typeof (decided as { then?: unknown } | null)?.then === 'function') {
          throw new MctsError(`rollout strategy ${player.name} is asynchronous; rollouts need a synchronous one`);
        }
        return decided as A;
      },
    };
  };
}
