import type { Command } from 'commander';
import { BotSpecError, type ResolvedBot, resolveBots } from '../../bots/resolve.ts';
import { createLogger } from '../../core/log.ts';
import { runMatch } from '../../core/match.ts';
import { makeReplay, writeReplay } from '../../core/replay.ts';
import type { AnyGameModule } from '../../game/module.ts';
import { gameIds, loadGame } from '../../game/registry.ts';
import { parseHostPort } from '../../net/client.ts';
import { parseSettings, usageOnConfigError } from '../config-options.ts';
import { CliError, EXIT, parseDuration, parseIntOption } from '../errors.ts';

/** Where `--replay` without a file name writes: under `out/`, which git ignores. */
const defaultReplayPath = (game: string, seed: string) => `out/replays/${game}-seed-${seed}.json`;

export function registerPlay(program: Command): void {
  program
    .command('play')
    .description('play one game: offline in-process, or with --connect over TCP against any server of that game')
    .argument('<game>', `game id (${gameIds().join(', ')})`)
    .requiredOption('--bots <list>', 'comma-separated bots, one per seat (built-in names or paths to .ts/.js modules)')
    .option('--seed <n>', 'game seed', '1')
    .option('--iterations <n>', 'iteration budget per decision', parseIntOption('--iterations', 1), 1000)
    .option(
      '--set <key=value...>',
      'game setting, repeatable (e.g. --set maxYear=50); with --connect, the settings the server runs with',
    )
    .option('--connect <host:port>', 'play over TCP against this server instead of in-process')
    .option('--timeout <duration>', 'give up an online game after this long', '10m')
    .option('--replay [file]', 'write the game as a replay file (offline; default out/replays/<game>-seed-<seed>.json)')
    .option('--log-level <level>', 'pino level for bot logs on stderr', 'warn')
    .option('--json', 'machine-readable result')
    .action(async (game: string, opts) => {
      let module: AnyGameModule;
      try {
        module = await loadGame(game);
      } catch (error) {
        throw new CliError((error as Error).message);
      }
      const { engine } = module;
      const specs = String(opts.bots)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (specs.length < engine.minPlayers || specs.length > engine.maxPlayers) {
        const seats =
          engine.minPlayers === engine.maxPlayers
            ? `${engine.minPlayers}`
            : `${engine.minPlayers} to ${engine.maxPlayers}`;
        throw new CliError(
          `${game} takes ${seats} players, one bot per seat; --bots names ${specs.length} (e.g. --bots random,random)`,
        );
      }
      let bots: ResolvedBot[];
      try {
        bots = await resolveBots(specs, game);
      } catch (error) {
        if (error instanceof BotSpecError) throw new CliError(error.message);
        throw error;
      }
      const names = bots.map((b) => b.displayName ?? b.label);
      // One reader for every command: the engine's schema converts and checks the text (serve does the same).
      const settings = parseSettings(opts.set);
      const config = usageOnConfigError(() => engine.parseConfig(settings));
      const log = createLogger({ level: opts.logLevel });
      const budget = { iterations: opts.iterations as number };
      if (opts.connect) {
        if (!module.client)
          throw new CliError(`${game} has no network client yet: it plays offline only (leave out --connect)`);
        const client = await module.client();
        const { host, port } = parseTarget(opts.connect, client.defaultPort);
        const typed = Object.fromEntries(Object.keys(settings).map((k) => [k, (config as Record<string, unknown>)[k]]));
        let outcome;
        try {
          outcome = await client.playOnline({
            host,
            port,
            bots,
            seed: opts.seed,
            budget,
            log,
            timeoutMs: parseDuration(opts.timeout),
            settings: typed,
          });
        } catch (error) {
          throw new CliError(`online game failed: ${(error as Error).message}`, EXIT.failure);
        }
        print(
          opts.json,
          {
            game,
            mode: 'online',
            target: `${host}:${port}`,
            seed: opts.seed,
            bots: specs,
            ...outcome,
            events: undefined,
          },
          outcome.result,
          names,
        );
        return;
      }
      const outcome = await runMatch({
        engine,
        config,
        players: bots.map((b) => b.create()),
        seed: opts.seed,
        budget,
        log,
        record: { actions: Boolean(opts.replay), hashes: Boolean(opts.replay) },
      });
      const replayPath =
        opts.replay === true ? defaultReplayPath(game, String(opts.seed)) : (opts.replay as string | undefined);
      if (replayPath) {
        try {
          writeReplay(replayPath, makeReplay(engine, config, opts.seed, specs, outcome));
        } catch (error) {
          throw new CliError(`cannot write the replay: ${(error as Error).message}`, EXIT.failure);
        }
      }
      print(
        opts.json,
        {
          game,
          mode: 'offline',
          engineVersion: engine.version,
          seed: opts.seed,
          bots: specs,
          result: outcome.result,
          steps: outcome.steps,
          invalidActions: outcome.invalid.length,
          durationMs: Math.round(outcome.durationMs * 100) / 100,
          ...(replayPath ? { replay: replayPath } : {}),
        },
        outcome.result,
        names,
      );
    });
}

function parseTarget(text: string, defaultPort: number) {
  try {
    return parseHostPort(text, defaultPort);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

function print(
  json: boolean | undefined,
  summary: Record<string, unknown>,
  result: { winner: number | null; scores: readonly number[]; ranks: readonly number[] },
  bots: readonly string[],
) {
  if (json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  const winner = result.winner === null ? 'draw' : `seat ${result.winner} (${bots[result.winner]})`;
  process.stdout.write(`winner: ${winner}\n`);
  const width = Math.max(...bots.map((b) => b.length));
  for (const [seat, bot] of bots.entries()) {
    process.stdout.write(
      `  seat ${seat}  ${bot.padEnd(width)}  rank ${result.ranks[seat]}  score ${result.scores[seat]}\n`,
    );
  }
  for (const key of ['steps', 'invalidActions', 'durationMs', 'replay'] as const) {
    if (summary[key] !== undefined) process.stdout.write(`${key}: ${summary[key]}\n`);
  }
}
