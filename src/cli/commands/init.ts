import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { listBots } from '../../bots/resolve.ts';
import { packageRoot, packageVersion } from '../../core/package-info.ts';
import { gameIds } from '../../games/registry.ts';
import { CliError } from '../errors.ts';

const LANGUAGES = ['ts', 'js', 'python'] as const;
type Language = (typeof LANGUAGES)[number];

/** How to reach a reference server of each game: the `serve` arguments and its default port. */
const SERVERS: Record<string, { serve: string; port: number }> = {
  galax: { serve: 'serve galax', port: 42529 },
  orerush: { serve: 'serve orerush', port: 1038 },
  carcassonne: { serve: 'serve se1 --game carcassonne', port: 5000 },
};

/** The bot's source for one game and language (TypeScript and JavaScript share the logic). */
function botSource(game: string, lang: Exclude<Language, 'python'>): string {
  const ts = lang === 'ts';
  const galax = `${ts ? "import type { StrategyFactory } from 'botswarm';\nimport type { GalaxAction, GalaxObservation, Move } from 'botswarm/galax';\n\n" : ''}/**
 * A Galax bot: each year, send half the ships of every planet to the nearest planet it outnumbers two to one.
 * The observation holds the planets you can see (ships are -1 where unknown); the action is a list of moves.
 */
const bot${ts ? ': StrategyFactory<GalaxObservation, GalaxAction>' : ''} = () => ({
  name: 'my-galax-bot',
  decide(observation) {
    const mine = observation.planets.filter((p) => p.owner === observation.player);
    const targets = observation.planets.filter((p) => p.owner !== observation.player && p.ships >= 0);
    const moves${ts ? ': Move[]' : ''} = [];
    for (const home of mine) {
      const spare = Math.floor(home.ships / 2);
      const distance = (t${ts ? ': { x: number; y: number }' : ''}) => (t.x - home.x) ** 2 + (t.y - home.y) ** 2;
      const nearest = targets.filter((t) => t.ships * 2 < spare).sort((a, b) => distance(a) - distance(b))[0];
      if (nearest) moves.push({ from: home.id, to: nearest.id, ships: spare });
    }
    return moves;
  },
});
export default bot;
`;
  const carcassonne = `${ts ? "import type { StrategyFactory } from 'botswarm';\nimport { type CarcassonneAction, type CarcassonneObservation, legalActions } from 'botswarm/carcassonne';\n" : "import { legalActions } from 'botswarm/carcassonne';\n"}
/**
 * A Carcassonne bot: a follower whenever it can place one while it has more than two left, else any legal
 * placement. The observation is the whole (public) game, so the engine's rule helpers apply to it directly.
 */
const bot${ts ? ': StrategyFactory<CarcassonneObservation, CarcassonneAction>' : ''} = () => ({
  name: 'my-carcassonne-bot',
  decide(observation, ctx) {
    const legal = legalActions(observation, ctx.seat);
    const withFollower = legal.filter((a) => a.meeple !== null);
    const choices = withFollower.length > 0 && observation.followers[ctx.seat]${ts ? '!' : ''} > 2 ? withFollower : legal;
    return ctx.rng.pick(choices);
  },
});
export default bot;
`;
  const generic = `${ts ? "import type { Strategy, StrategyFactory } from 'botswarm';\n\n" : ''}/**
 * A starting point for ${game}: rebuild a state consistent with what the seat sees, then pick a random legal
 * action where the engine lists them, else the engine's default action. Replace it with your own logic.
 */
const bot${ts ? ': StrategyFactory' : ''} = ()${ts ? ': Strategy' : ''} => ({
  name: 'my-${game}-bot',
  decide(observation, ctx) {
    const { engine, config } = ctx.model;
    const state = engine.determinize${ts ? '!' : ''}(observation, ctx.seat, config, ctx.rng);
    const legal = engine.legalActions?.(state, ctx.seat);
    return legal && legal.length > 0 ? ctx.rng.pick(legal) : engine.defaultAction(state, ctx.seat);
  },
});
export default bot;
`;
  return game === 'galax' ? galax : game === 'carcassonne' ? carcassonne : generic;
}

function nodeTest(game: string, botFile: string): string {
  return `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadEngine, resolveBot, runMatch } from 'botswarm';
import bot from '../${botFile}';

// Whole games against the built-in random bot on the local engine: no illegal action, no forfeit.
test('the bot plays ${game} to the end within the rules', async () => {
  const engine = await loadEngine('${game}');
  const opponent = await resolveBot('random', '${game}');
  for (const seed of [1, 2, 3]) {
    const outcome = await runMatch({
      engine,
      config: engine.defaultConfig(),
      players: [bot({ params: {} }), opponent.create()],
      seed,
    });
    assert.deepEqual(outcome.forfeits, []);
    assert.deepEqual(outcome.invalid, []);
  }
});
`;
}

function pythonTest(game: string): string {
  return `"""Plays whole games of ${game} against the built-in random bot on the local engine (python3 -m unittest)."""
import json
import subprocess
import unittest


class BotTest(unittest.TestCase):
    def test_plays_within_the_rules(self):
        for seed in (1, 2, 3):
            run = subprocess.run(
                ["npx", "--no-install", "botswarm", "play", "${game}", "--bots", "exec:python3 bot.py,random",
                 "--seed", str(seed), "--json"],
                capture_output=True, text=True, timeout=120, check=True,
            )
            summary = json.loads(run.stdout)
            self.assertEqual(summary["invalidActions"], 0, run.stderr)
            self.assertNotIn("forfeits the game", run.stderr)


if __name__ == "__main__":
    unittest.main()
`;
}

export interface InitOptions {
  readonly dir: string;
  readonly game: string;
  readonly lang: Language;
  /** The botswarm dependency as package.json writes it (a version range, or a tarball path for tests). */
  readonly botswarm?: string;
}

/** Writes a new bot project; returns the files written, relative to `dir`. */
export async function initProject(options: InitOptions): Promise<string[]> {
  const { game, lang } = options;
  const dir = resolve(options.dir);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new CliError(`${dir} exists and is not empty`);
  if (!gameIds().includes(game)) throw new CliError(`unknown game "${game}" (known: ${gameIds().join(', ')})`);
  const examples = join(packageRoot(), 'strategies', 'examples');
  if (lang === 'python' && !existsSync(join(examples, `${game}_bot.py`))) {
    const have = readdirSync(examples)
      .filter((f) => f.endsWith('_bot.py'))
      .map((f) => f.replace('_bot.py', ''));
    throw new CliError(`no Python example for ${game} yet (there is one for ${have.join(', ')})`);
  }
  const name =
    basename(dir)
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-') || 'my-bot';
  const botFile = lang === 'python' ? 'bot.py' : `bot.${lang}`;
  const botSpec = lang === 'python' ? 'exec:python3 bot.py' : `./${botFile}`;
  const opponents = (await listBots(game)).map((b) => b.name.replace(`${game}-`, '')).filter((b) => b !== 'mcts');
  const server = SERVERS[game] ?? { serve: `serve ${game}`, port: 0 };
  const testCommand =
    lang === 'ts'
      ? 'node --import tsx --test test/bot.test.ts'
      : lang === 'js'
        ? 'node --test test/bot.test.js'
        : 'python3 -m unittest test_bot.py';
  const files: Record<string, string> = {};
  files['package.json'] = `${JSON.stringify(
    {
      name,
      private: true,
      type: 'module',
      scripts: {
        test: testCommand,
        ...(lang === 'ts' ? { typecheck: 'tsc --noEmit' } : {}),
        play: `botswarm play ${game} --bots "${botSpec},random"`,
        tournament: 'botswarm tournament tournament.json',
      },
      dependencies: { botswarm: options.botswarm ?? `^${packageVersion()}` },
      ...(lang === 'ts' ? { devDependencies: { '@types/node': '^20.19.0', typescript: '^5.9.0 || ^7.0.0' } } : {}),
    },
    null,
    2,
  )}\n`;
  if (lang === 'ts') {
    files['tsconfig.json'] = `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2023'],
          types: ['node'],
          strict: true,
          noEmit: true,
          allowImportingTsExtensions: true,
          verbatimModuleSyntax: true,
          skipLibCheck: true,
        },
        include: ['*.ts', 'test'],
      },
      null,
      2,
    )}\n`;
  }
  if (lang === 'python') {
    files[botFile] = readFileSync(join(examples, `${game}_bot.py`), 'utf8').replaceAll(
      `strategies/examples/${game}_bot.py`,
      'bot.py',
    );
    files['test_bot.py'] = pythonTest(game);
  } else {
    files[botFile] = botSource(game, lang);
    files[`test/bot.test.${lang}`] = nodeTest(game, botFile);
  }
  files['tournament.json'] = `${JSON.stringify(
    {
      $schema: './node_modules/botswarm/simulations/schema.json',
      name,
      game,
      bots: [botSpec, ...opponents],
      games: 10,
      seed: 1,
    },
    null,
    2,
  )}\n`;
  files['.gitignore'] = 'node_modules/\nout/\n__pycache__/\n';
  const port = server.port;
  files['README.md'] = `# ${name}

A ${game} bot for [botswarm](https://www.npmjs.com/package/botswarm), in ${lang === 'ts' ? 'TypeScript' : lang === 'js' ? 'JavaScript' : 'Python (a process bot speaking JSON lines)'}: \`${botFile}\`.

\`\`\`sh
npm install                                   # botswarm and its CLI
npm test                                      # whole games against the random bot on the local engine
npx botswarm play ${game} --bots "${botSpec},random" --seed 7             # one game offline
npx botswarm tournament tournament.json        # ${opponents.length + 1} bots, 10 games per pairing, standings in out/${name}/
npx botswarm ${server.serve}                   # a reference server on 127.0.0.1:${port} (another terminal)
npx botswarm play ${game} --bots "${botSpec},random" --seed 7 --connect 127.0.0.1:${port}   # the same game over TCP
\`\`\`

The bot never knows whether it plays in-process or over a socket: the same file works offline, in a
tournament and against any server of the game.${lang === 'python' ? " The protocol is in botswarm's docs/process-bots.md (node_modules/botswarm/docs/process-bots.md)." : ''}
`;
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return Object.keys(files);
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create a bot project: a bot, a test of it on the local engine, a tournament file and a README')
    .argument('<dir>', 'the new project folder (must not exist or be empty)')
    .requiredOption('--game <id>', `the game (${gameIds().join(', ')})`)
    .option('--lang <lang>', `the bot's language: ${LANGUAGES.join(', ')}`, 'ts')
    .option('--botswarm <spec>', 'the botswarm dependency in package.json (default: this version)')
    .action(async (dir: string, opts) => {
      const lang = String(opts.lang) as Language;
      if (!LANGUAGES.includes(lang)) throw new CliError(`--lang must be one of ${LANGUAGES.join(', ')}, got "${lang}"`);
      const files = await initProject({ dir, game: String(opts.game), lang, botswarm: opts.botswarm });
      process.stdout.write(`created ${dir}: ${files.join(', ')}\nnext: cd ${dir} && npm install && npm test\n`);
    });
}
