import type { Command } from 'commander';
import { BotSpecError, resolveBots } from '../../bots/resolve.ts';
import { ConfigError } from '../../core/engine.ts';
import { createLogger } from '../../core/log.ts';
import { runMatch } from '../../core/match.ts';
import { makeReplay, writeReplay } from '../../core/replay.ts';
import { loadEngine } from '../../games/registry.ts';
import { parseHostPort } from '../../net/client.ts';
import { loadClientProtocol } from '../../protocols/registry.ts';
import { parseSettings } from '../config-options.ts';
import { CliError, EXIT, parseDuration, parseIntOption } from '../errors.ts';

export function registerPlay(program: Command): void {
  program
    .command('play')
    .description('play one game: offline in-process, or with --connect over TCP against any server of that game')
    .argument('<game>', 'game id, e.g. galax')
    .requiredOption('--bots <list>', 'comma-separated bots, one per seat (built-in names or paths to .ts/.js modules)')
    .option('--seed <n>', 'game seed', '1')
    .option('--iterations <n>', 'iteration budget per decision', parseIntOption('--iterations', 1), 1000)
    .option(
      '--set <key=value...>',
      'game setting, repeatable (e.g. --set maxYear=50); with --connect, the settings the server runs with',
    )
    .option('--connect <host:port>', 'play over TCP against this server instead of in-process')
    .option('--timeout <duration>', 'give up an online game after this long', '10m')
    .option('--replay <file>', 'write the game as a replay file (offline)')
    .option('--log-level <level>', 'pino level for bot logs on stderr', 'warn')
    .option('--json', 'machine-readable result')
    .action(async (game: string, opts) => {
      const specs = String(opts.bots)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      let bots;
      try {
        bots = await resolveBots(specs, game);
      } catch (error) {
        if (error instanceof BotSpecError) throw new CliError(error.message);
        throw error;
      }
      const log = createLogger({ level: opts.logLevel });
      const budget = { iterations: opts.iterations as number };
      if (opts.connect) {
        let client;
        try {
          client = await loadClientProtocol(game);
        } catch (error) {
          throw new CliError((error as Error).message);
        }
        const { host, port } = parseTarget(opts.connect, client.defaultPort);
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
            settings: parseSettings(opts.set),
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
          specs,
        );
        return;
      }
      let engine;
      let config;
      try {
        engine = await loadEngine(game);
        config = engine.parseConfig(parseSettings(opts.set));
      } catch (error) {
        if (error instanceof ConfigError || error instanceof Error) throw new CliError(error.message);
        throw error;
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
      if (opts.replay) writeReplay(opts.replay, makeReplay(engine, config, opts.seed, specs, outcome));
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
          ...(opts.replay ? { replay: opts.replay } : {}),
        },
        outcome.result,
        specs,
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
  for (const [seat, bot] of bots.entries()) {
    process.stdout.write(
      `  seat ${seat}  ${bot.padEnd(24)} rank ${result.ranks[seat]}  score ${result.scores[seat]}\n`,
    );
  }
  for (const key of ['steps', 'invalidActions', 'durationMs', 'replay'] as const) {
    if (summary[key] !== undefined) process.stdout.write(`${key}: ${summary[key]}\n`);
  }
}
