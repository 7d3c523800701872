import type { Command } from 'commander';
import type { AnyEngine } from '../../core/engine.ts';
import { ReplayError, type ReplayFile, readReplay, type VerifiedReplay, verifyReplay } from '../../core/replay.ts';
import { loadEngine } from '../../games/registry.ts';
import { CliError, EXIT } from '../errors.ts';

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('re-run a replay file, verify the state hash of every step and print what happened')
    .argument('<file>', 'a replay file (botswarm play --replay, or a tournament run with --replays)')
    .option('--json', 'machine-readable result (with the account of the game)')
    .option('--quiet', 'print only the verdict, not the account of the game')
    .action(async (file: string, opts) => {
      let replay: ReplayFile;
      let engine: AnyEngine;
      try {
        replay = readReplay(file);
        engine = await loadEngine(replay.game);
      } catch (error) {
        throw new CliError((error as Error).message, EXIT.usage);
      }
      let verified: VerifiedReplay;
      try {
        verified = verifyReplay(engine, replay);
      } catch (error) {
        // A config the engine refuses, a replay of another game: the file cannot be re-run at all.
        const message = error instanceof ReplayError ? error.message : `cannot re-run: ${(error as Error).message}`;
        throw new CliError(`${file}: ${message}`, EXIT.failure);
      }
      const steps = replay.actions.length;
      const failure =
        verified.mismatchAt !== undefined && verified.mismatchAt > 0
          ? `mismatch at step ${verified.mismatchAt} of ${steps}: ${verified.message?.replace(/^step \d+: /, '')}`
          : (verified.message ?? 'verification failed');
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify({
            file,
            ok: verified.ok,
            game: replay.game,
            engineVersion: replay.engineVersion,
            seed: replay.seed,
            bots: replay.bots,
            steps,
            result: verified.ok ? verified.result : replay.result,
            ...(verified.ok ? {} : { mismatchAt: verified.mismatchAt ?? null, message: verified.message ?? null }),
            account: verified.account,
          })}\n`,
        );
        if (!verified.ok) process.exitCode = EXIT.failure;
        return;
      }
      if (!verified.ok) throw new CliError(`${file}: ${failure}`, EXIT.failure);
      const out: string[] = [
        `${replay.game} ${replay.engineVersion}, seed ${replay.seed}, ${steps} steps`,
        ...replay.bots.map((bot, seat) => `  seat ${seat}: ${bot}`),
      ];
      if (!opts.quiet) {
        if (verified.account.length) out.push('', ...verified.account);
        else out.push('', `(${replay.game} gives no account of its steps)`);
      }
      const result = verified.result!;
      out.push(
        '',
        `result: ${result.winner === null ? 'draw' : `seat ${result.winner} (${replay.bots[result.winner]}) wins`}`,
        ...replay.bots.map(
          (bot, seat) => `  seat ${seat}  ${bot.padEnd(24)} rank ${result.ranks[seat]}  score ${result.scores[seat]}`,
        ),
        `verified: all ${steps} steps re-run, every state hash matches, same result`,
      );
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
