import { describe, expect, it } from 'vitest';
import { createMctsStrategy, Mcts, MctsError, type MctsOptions, resultRewards } from '../../src/ai/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import { runMatch } from '../../src/core/match.ts';
import { createRng } from '../../src/core/rng.ts';
import type { DecisionContext, Strategy } from '../../src/core/strategy.ts';
import { goofGame, tttGame } from './fixtures/games.ts';
import { type GoofObservation, type GoofState, goofspiel } from './fixtures/goofspiel.ts';
import { minimax, position, type TttState, tictactoe } from './fixtures/tictactoe.ts';

const base: MctsOptions = { iterations: 2000, depth: 0, exploration: 1.4, rollout: 'random', reuseTree: true };

function ctxFor(seat: number, seed: string, iterations = 1_000_000, config: unknown = {}): DecisionContext {
  return {
    seat,
    rng: createRng(seed),
    budget: { iterations },
    model: { engine: tictactoe, config } as DecisionContext['model'],
    log: silentLogger,
  };
}

const randomBot = <O, A>(legal: (o: O, seat: number) => readonly A[]): Strategy<O, A> => ({
  name: 'random',
  decide: (o, ctx) => ctx.rng.pick(legal(o, ctx.seat)),
});

describe('resultRewards', () => {
  it('gives the share of opponents beaten, ties counting half', () => {
    expect(resultRewards({ scores: [3, 1], ranks: [1, 2], winner: 0 })).toEqual([1, 0]);
    expect(resultRewards({ scores: [1, 1], ranks: [1, 1], winner: null })).toEqual([0.5, 0.5]);
    expect(resultRewards({ scores: [5, 3, 3, 0], ranks: [1, 2, 2, 4], winner: 0 })).toEqual([1, 0.5, 0.5, 0]);
  });
});

describe('MCTS on tic-tac-toe (turn-based, perfect information)', () => {
  // X (seat 0) at 0 and 6, O at 2 and 3; X to move. Only 8 wins by force: it threatens 0-4-8 and 6-7-8 at
  // once. Every other empty cell (1, 4, 5, 7) lets O hold the draw or win, which minimax confirms below.
  const fork = position('X.O/O../X..');

  it('the hand-built position has exactly one winning move', () => {
    expect(minimax(fork)).toBe(1);
    const winning = [1, 4, 5, 7, 8].filter((cell) => {
      const board = fork.board.slice();
      board[cell] = 1;
      return -minimax({ board, toMove: 1 }) === 1;
    });
    expect(winning).toEqual([8]);
  });

  it('finds the forced win (several seeds)', () => {
    for (const seed of ['a', 'b', 'c', 'd']) {
      const search = new Mcts(tttGame, base);
      expect(search.search(fork, 0, {}, createRng(seed), { iterations: 2000 })).toBe(8);
    }
  });

  it('blocks an immediate threat and takes an immediate win', () => {
    // O threatens 3-4-5; X to move must block at 5.
    const block = position('X.X/OO./...');
    // X at 0 and 2 can win at once at 1: winning now beats blocking.
    expect(new Mcts(tttGame, base).search(block, 0, {}, createRng(1), { iterations: 2000 })).toBe(1);
    const mustBlock = position('X../OO./..X');
    expect(new Mcts(tttGame, base).search(mustBlock, 0, {}, createRng(1), { iterations: 2000 })).toBe(5);
  });

  it('the same seed and budget give the same decisions, with the tree reused between turns', async () => {
    const play = async () => {
      const a = createMctsStrategy(tttGame, { ...base, iterations: 300 });
      const b = createMctsStrategy(tttGame, { ...base, iterations: 300 });
      const reused: number[] = [];
      const watch = (s: typeof a): Strategy<TttState, number> => ({
        name: s.name,
        decide(o, ctx) {
          const action = s.decide(o, ctx) as number;
          reused.push(s.lastReport!.reusedVisits);
          return action;
        },
      });
      const out = await runMatch({
        engine: tictactoe,
        config: {},
        players: [watch(a), watch(b)],
        seed: 7,
        record: { actions: true, hashes: true },
      });
      return { hashes: out.hashes, actions: JSON.stringify(out.actions), reused, result: out.result };
    };
    const first = await play();
    const second = await play();
    expect(second.actions).toBe(first.actions);
    expect(second.hashes).toEqual(first.hashes);
    // Perfect play from both sides is a draw; a search of 300 iterations plays this small game perfectly.
    expect(first.result.winner).toBeNull();
    // From each seat's second decision on, the previous tree led to the new position and was kept.
    expect(first.reused.slice(2).some((v) => v > 0)).toBe(true);
    expect(first.reused[0]).toBe(0);
  });

  it('obeys the runner budget as a cap and reports what it did', () => {
    const strategy = createMctsStrategy(tttGame, { ...base, iterations: 500 });
    strategy.decide(position('.../.../...'), ctxFor(0, 's', 120));
    expect(strategy.lastReport!.iterations).toBe(120);
    const visits = strategy.lastReport!.arms.reduce((sum, a) => sum + a.visits, 0);
    expect(visits).toBe(120);
  });

  it('refuses a bad configuration and a seat that does not act', () => {
    expect(() => new Mcts(tttGame, { ...base, rollout: 'nope' })).toThrow(/unknown rollout policy "nope"/);
    expect(() => new Mcts(tttGame, { ...base, iterations: 0 })).toThrow(MctsError);
    expect(() =>
      new Mcts(tttGame, base).search(position('X../.../...'), 0, {}, createRng(1), { iterations: 10 }),
    ).toThrow(/seat 0, which does not act/);
  });
});

describe('MCTS on hidden-bid Goofspiel (simultaneous moves, chance, hidden information)', () => {
  const goofOptions: MctsOptions = { iterations: 400, depth: 0, exploration: 0.7, rollout: 'random', reuseTree: true };
  const config = goofspiel.defaultConfig();
  const ctx = (seat: number, seed: string): DecisionContext => ({
    seat,
    rng: createRng(seed),
    budget: { iterations: 1_000_000 },
    model: { engine: goofspiel, config } as DecisionContext['model'],
    log: silentLogger,
  });

  it('determinisation never leaks hidden information', () => {
    // Two true states that differ only in the opponent's hand (what seat 0 cannot see) give the same
    // observation; the bot, run on each observation with the same rng seed, must decide identically.
    const common = { deck: [1, 4], prize: 5, scores: [3, 2] };
    const one: GoofState = {
      ...common,
      hands: [
        [1, 2, 5],
        [3, 4, 5],
      ],
    };
    const two: GoofState = {
      ...common,
      hands: [
        [1, 2, 5],
        [1, 2, 3],
      ],
    };
    const obsOne = goofspiel.observe(one, 0);
    const obsTwo = goofspiel.observe(two, 0);
    expect(obsTwo).toEqual(obsOne);
    for (const seed of ['x', 'y', 'z']) {
      const a = createMctsStrategy(goofGame, goofOptions);
      const b = createMctsStrategy(goofGame, goofOptions);
      expect(a.decide(obsOne, ctx(0, seed))).toBe(b.decide(obsTwo, ctx(0, seed)));
      // Not only the move: the whole search (every arm's statistics) is the same.
      expect(b.lastReport!.arms).toEqual(a.lastReport!.arms);
    }
  });

  it('the same seed and budget give the same game; another seed explores differently', async () => {
    const play = async (seed: number) => {
      const out = await runMatch({
        engine: goofspiel,
        config,
        players: [
          createMctsStrategy(goofGame, goofOptions),
          createMctsStrategy(goofGame, { ...goofOptions, rollout: 'match' }),
        ],
        seed,
        record: { actions: true, hashes: true },
      });
      return JSON.stringify(out.actions);
    };
    expect(await play(3)).toBe(await play(3));
    expect(await play(4)).not.toBe(await play(3));
  });

  it('beats a random bidder clearly (decoupled UCT at simultaneous nodes)', async () => {
    const random = randomBot<GoofObservation, number>((o) => o.hand);
    let wins = 0;
    let losses = 0;
    for (let game = 0; game < 20; game++) {
      const mctsSeat = game % 2;
      const players =
        mctsSeat === 0
          ? [createMctsStrategy(goofGame, goofOptions), random]
          : [random, createMctsStrategy(goofGame, goofOptions)];
      const out = await runMatch({ engine: goofspiel, config, players, seed: game });
      if (out.result.winner === mctsSeat) wins++;
      else if (out.result.winner !== null) losses++;
    }
    expect(wins).toBeGreaterThanOrEqual(14);
    expect(losses).toBeLessThanOrEqual(4);
  });
});
