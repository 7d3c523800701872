import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnyGameModule, AnyServiceModule } from '../../src/game/module.ts';
import { loadModule, loadServer, RegistryError, registryEntries } from '../../src/game/registry.ts';
import { readSettings } from '../../src/game/settings.ts';

const guide = readFileSync(join(import.meta.dirname, '../../docs/adding-a-game.md'), 'utf8');

/** The fields the guide lists in its table of GameModule fields. */
function guideFields(): string[] {
  const table = guide.slice(guide.indexOf('Every field of a `GameModule`'), guide.indexOf('Everything that imports'));
  return [...table.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]!);
}

describe('the one registry', () => {
  it('the guide lists exactly the fields a game module has', async () => {
    const fields = guideFields();
    expect(fields).toEqual(
      expect.arrayContaining(['kind', 'id', 'engine', 'settings', 'bots', 'client', 'server', 'scenarios']),
    );
    for (const entry of registryEntries().filter((e) => e.kind === 'game')) {
      const module = (await entry.load()) as AnyGameModule;
      // client and server come together, or not yet at all (a game that plays offline only so far).
      const expected = module.client ? fields : fields.filter((f) => f !== 'client' && f !== 'server');
      expect(Object.keys(module).sort(), entry.id).toEqual([...expected].sort());
    }
  });

  it('every game module is complete and consistent, and each part loads', async () => {
    for (const entry of registryEntries().filter((e) => e.kind === 'game')) {
      const module = (await loadModule(entry.id)) as AnyGameModule;
      expect(module.kind).toBe('game');
      expect(module.id).toBe(entry.id);
      expect(module.engine.id).toBe(entry.id);
      // The engine reads its config with the module's schema: defaults agree.
      expect(module.engine.parseConfig({})).toEqual(readSettings(module.settings, {}));
      const bots = await module.bots();
      expect(bots.length).toBeGreaterThan(0);
      for (const bot of bots) {
        expect(bot.game).toBe(entry.id);
        expect(bot.name.startsWith(`${entry.id}-`)).toBe(true);
        if (bot.params) expect(bot.params.type).toBe('object');
      }
      // A game may play offline only so far (no client, no server): then it has neither.
      expect(module.client === undefined).toBe(module.server === undefined);
      if (module.client && module.server) {
        const client = await module.client();
        expect(client.game).toBe(entry.id);
        const { protocol } = await loadServer(entry.id);
        expect(protocol.id).toBe(module.server.protocol);
      } else await expect(loadServer(entry.id)).rejects.toThrow(/offline only/);
      expect(Object.keys(module.scenarios)).toEqual(entry.scenarios);
      for (const [id, load] of Object.entries(module.scenarios)) expect((await load()).id).toBe(id);
      expect(typeof module.describeStep).toBe('function');
    }
  }, 60_000);

  it('every service module has its server, bots and scenarios', async () => {
    for (const entry of registryEntries().filter((e) => e.kind === 'service')) {
      const module = (await loadModule(entry.id)) as AnyServiceModule;
      expect(module.kind).toBe('service');
      expect(module.id).toBe(entry.id);
      expect((await module.server()).id).toBe(entry.id);
      for (const bot of await module.bots()) expect(bot.game).toBe(entry.id);
      expect(Object.keys(module.scenarios)).toEqual(entry.scenarios);
      for (const [id, load] of Object.entries(module.scenarios)) expect((await load()).id).toBe(id);
    }
  }, 60_000);

  it('a game hosted by a service is served by it with the settings that pick the game', async () => {
    const { protocol, settings } = await loadServer('carcassonne');
    expect(protocol.id).toBe('se1');
    expect(settings).toEqual({ game: 'carcassonne' });
    await expect(loadModule('chess')).rejects.toThrow(RegistryError);
  });
});
