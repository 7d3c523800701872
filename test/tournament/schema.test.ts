import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadTournament,
  readTournamentFile,
  TournamentDefinitionError,
  tournamentSchema,
  validateSchema,
} from '../../src/tournament/index.ts';
import { tournamentSchemaJson } from '../../src/tournament/schema.ts';

const root = join(import.meta.dirname, '../..');
const fixtures = join(import.meta.dirname, 'fixtures');
const engineModule = join(fixtures, 'nim.ts');

async function problem(raw: Record<string, unknown>): Promise<string> {
  try {
    await loadTournament({ source: 'x.json', baseDir: fixtures, raw }, { engineModule });
  } catch (error) {
    expect(error).toBeInstanceOf(TournamentDefinitionError);
    return (error as Error).message;
  }
  throw new Error('expected the tournament to be refused');
}

describe('tournament schema', () => {
  it('names the field that is wrong', () => {
    const schema = tournamentSchema();
    const first = (raw: unknown) => {
      const [e] = validateSchema(schema, raw);
      return e ? `${e.path}: ${e.message}` : 'ok';
    };
    expect(first({ game: 'nim', bots: ['a'], games: 0 })).toBe('games: must be an integer from 1 to 10000000, got 0');
    expect(first({ game: 'nim', bots: ['a'], games: 10_000_001 })).toMatch(/^games: must be an integer from 1 to/);
    expect(first({ game: 'nim', bots: ['a'], games: 2.5 })).toMatch(/^games: must be an integer/);
    expect(first({ game: 'nim', bots: ['a', 7] })).toMatch(/^bots\[1\]: must be text/);
    expect(first({ game: 'nim', bots: [] })).toBe('bots: must have at least 1 item');
    expect(first({ bots: ['a'] })).toBe('game: is required');
    expect(first({ game: 'nim', bots: ['a'], colour: 1 })).toMatch(/^colour: unknown field/);
    expect(first({ game: 'nim', bots: ['a'], format: 'league' })).toMatch(/^format: must be one of round-robin/);
    expect(first({ game: 'nim', bots: ['a'], replays: 'some' })).toMatch(/^replays: must be one of all, none or an/);
    expect(first({ game: 'nim', bots: ['a'], config: [] })).toMatch(/^config: must be an object/);
    expect(first({ game: 'nim', bots: ['a'], seed: 'abc', replays: 4 })).toBe('ok');
  });

  it('checks the game, the bots, the config and the format', async () => {
    const base = { game: 'nim', bots: ['./nim-random.ts', './nim-perfect.ts'] };
    expect(await problem({ ...base, bots: ['./nim-random.ts', './nope.ts'] })).toMatch(/^x\.json: bots\[1\]: /);
    expect(await problem({ ...base, bots: ['./nim-random.ts', './nim-random.ts'] })).toBe(
      'x.json: bots[1]: duplicate of bots[0] ("./nim-random.ts")',
    );
    expect(await problem({ ...base, config: { maxTarget: 0 } })).toMatch(/^x\.json: config\.maxTarget: must be/);
    expect(await problem({ ...base, config: { speed: 1 } })).toMatch(/^x\.json: config\.speed: unknown setting/);
    expect(await problem({ ...base, players: 9 })).toBe('x.json: players: nim takes 2 to 6 players, got 9');
    expect(await problem({ ...base, players: 3 })).toMatch(/^x\.json: bots: a round-robin of 3-player games needs/);
    expect(await problem({ ...base, format: 'swiss', players: 3 })).toMatch(/^x\.json: players: a swiss/);
    expect(await problem({ ...base, format: 'gauntlet', challenger: 'x' })).toBe(
      'x.json: challenger: "x" is not one of bots',
    );
    expect(await problem({ ...base, rounds: 3 })).toMatch(/^x\.json: rounds: only a swiss/);
    expect(await problem({ ...base, format: 'swiss', seatOrders: 'all' })).toMatch(
      /^x\.json: seatOrders: only a round-robin or a gauntlet/,
    );
    expect(await problem({ ...base, seatOrders: 'some' })).toMatch(/^x\.json: seatOrders: must be/);
    expect(await problem({ ...base, game: 'chess' })).toMatch(/^x\.json: game: /);
  });

  it('fills in the defaults', async () => {
    const loaded = await loadTournament(
      { source: 'x.json', baseDir: fixtures, raw: { game: 'nim', bots: ['./nim-random.ts', './nim-perfect.ts'] } },
      { engineModule },
    );
    expect(loaded.definition).toMatchObject({
      format: 'round-robin',
      players: 2,
      games: 10,
      seed: 1,
      iterations: 1000,
    });
    expect(loaded.botSpecs[0]).toBe(join(fixtures, 'nim-random.ts'));
  });

  it('accepts every example in simulations/ (against the schema and the games)', async () => {
    const files = readdirSync(join(root, 'simulations')).filter((f) => f.endsWith('.json') && f !== 'schema.json');
    expect(files).toContain('quickstart.json');
    for (const file of files) {
      const input = readTournamentFile(join(root, 'simulations', file));
      const loaded = await loadTournament(input);
      expect(loaded.definition.name.length).toBeGreaterThan(0);
    }
  });

  it('simulations/schema.json is the file generated from the TypeBox schema', () => {
    // Regenerate with: node --import tsx scripts/gen-schema.ts
    expect(readFileSync(join(root, 'simulations/schema.json'), 'utf8')).toBe(tournamentSchemaJson());
  });

  it('schema.json is valid JSON naming every field the loader reads', () => {
    const schema = JSON.parse(readFileSync(join(root, 'simulations/schema.json'), 'utf8'));
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['game', 'bots', 'format', 'players', 'games', 'rounds', 'seed', 'config', 'replays']),
    );
  });
});
