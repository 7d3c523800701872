import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TSchema } from 'typebox';
import { describe, expect, it } from 'vitest';
import { loadGame, loadServer } from '../../src/game/registry.ts';
import type { SettingsSchema } from '../../src/game/settings.ts';

const docs = join(import.meta.dirname, '../../docs/protocols');

/** Digits as one number: `600 000`, `86,400,000`, `10⁶` all become plain digits; dashes and dots stay. */
function normalize(text: string): string {
  return text
    .replace(/`/g, '')
    .replace(/10⁶/g, '1000000')
    .replace(/10⁷/g, '10000000')
    .replace(/(\d)[\s,\u202f\u2009](?=\d{3}\b)/g, '$1')
    .replace(/\s+/g, '')
    .trim();
}

const numbers = (text: string) => (normalize(text).match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);

interface Row {
  readonly keys: string[];
  readonly defaults: string[];
  readonly range: string;
}

/** Every table row whose first cell names settings in backticks. */
function tableRows(markdown: string): Map<string, { default: string; range: string }> {
  const out = new Map<string, { default: string; range: string }>();
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const cells = line.split('|').slice(1, -1);
    // A settings row names only settings in its first cell: `a`, `b` or `users` (or `db`).
    if (!/^\s*`\w+`(\s*,\s*`\w+`)*\s*(\(or `\w+`\))?\s*$/.test(cells[0] ?? '')) continue;
    const keys = [...(cells[0] ?? '').matchAll(/`(\w+)`/g)].map((m) => m[1]!);
    const row: Row = { keys, defaults: (cells[1] ?? '').split(','), range: cells[2] ?? '' };
    row.keys.forEach((key, i) => {
      const value = row.keys.length > 1 ? (row.defaults[i] ?? '') : (cells[1] ?? '');
      if (!out.has(key)) out.set(key, { default: value.trim(), range: row.range });
    });
  }
  return out;
}

type Json = Record<string, unknown>;

/** What differs between a schema and a docs table: missing settings, other defaults, other ranges. */
function differences(schema: SettingsSchema, rows: Map<string, { default: string; range: string }>): string[] {
  const problems: string[] = [];
  for (const [key, property] of Object.entries(schema.properties as Record<string, TSchema>)) {
    const s = property as unknown as Json;
    const row = rows.get(key);
    if (!row) {
      problems.push(`${key}: not in the table`);
      continue;
    }
    const declared = s.default;
    const documented = normalize(row.default);
    if (declared !== undefined && !(declared === '' && /^(—|-)?$/.test(documented))) {
      const expected = normalize(Array.isArray(declared) ? declared.join(',') : String(declared));
      if (documented !== expected)
        problems.push(`${key}: default ${row.default} in the docs, ${expected} in the schema`);
    }
    if (s.type === 'integer' || s.type === 'number') {
      const found = numbers(row.range);
      for (const bound of [s.minimum, s.maximum] as number[])
        if (!found.includes(bound)) problems.push(`${key}: range "${row.range.trim()}" lacks ${bound}`);
    }
    if (Array.isArray(s.enum))
      for (const value of s.enum as string[])
        if (!row.range.includes(value)) problems.push(`${key}: range "${row.range.trim()}" lacks ${value}`);
  }
  return problems;
}

const read = (file: string) => readFileSync(join(docs, file), 'utf8');

describe('the settings tables of the docs match the schemas', () => {
  for (const [id, file] of [
    ['galax', 'galax.md'],
    ['orerush', 'orerush.md'],
    ['se1', 'se1.md'],
    ['lekt', 'lekt.md'],
    ['chat', 'chat.md'],
  ] as const) {
    it(`${file}: every server setting, with its default and range`, async () => {
      const { protocol } = await loadServer(id);
      expect(protocol.settings).toBeDefined();
      expect(differences(protocol.settings!, tableRows(read(file)))).toEqual([]);
    });
  }

  it('galax.md §10.7: every game setting, with its default and range', async () => {
    const galax = await loadGame('galax');
    expect(differences(galax.settings, tableRows(read('galax.md')))).toEqual([]);
  });

  it('orerush.md §7: every game rule with its default in brackets', async () => {
    const orerush = await loadGame('orerush');
    const text = read('orerush.md');
    const defaults = readSettingsDefaults(orerush.settings);
    const mentioned = [...text.matchAll(/`(\w+)` \[([^\]…]+)\]/g)];
    expect(mentioned.length).toBeGreaterThan(10);
    for (const [, key, value] of mentioned) {
      if (!(key! in defaults)) continue;
      expect(`${key} ${normalize(value!)}`).toBe(`${key} ${normalize(String(defaults[key!]))}`);
    }
  });

  it('notices a table that differs (the check can fail)', () => {
    const galax = '| `maxYear` | 300 | 1 … 1000 | x |\n';
    return loadGame('galax').then((g) => {
      const problems = differences(g.settings, tableRows(galax));
      expect(problems).toContain('maxYear: default 300 in the docs, 200 in the schema');
      expect(problems).toContain('maxYear: range "1 … 1000" lacks 100000');
      expect(problems).toContain('width: not in the table');
    });
  });
});

function readSettingsDefaults(schema: SettingsSchema): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(schema.properties as Record<string, TSchema>).map(([k, s]) => [k, (s as unknown as Json).default]),
  );
}

describe("the README's settings lines match the schemas", () => {
  it('every `key` (default) it gives for Galax and Ore Rush is the schema default', async () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const galax = await loadGame('galax');
    const defaults: Record<string, unknown> = {
      ...readSettingsDefaults(galax.settings),
      ...readSettingsDefaults((await loadServer('galax')).protocol.settings!),
      ...readSettingsDefaults((await loadServer('orerush')).protocol.settings!),
    };
    const claims: [string, string][] = [];
    // `a`/`b` (x/y) or `a`/`b` (x): both keys; `a` (x): one key.
    for (const [, a, b, x, y] of readme.matchAll(/`(\w+)`\/`(\w+)` \((\w+)(?:\/(\w+))?[,)]/g))
      claims.push([a!, x!], [b!, y ?? x!]);
    for (const [, key, value] of readme.matchAll(/`(\w+)` \((\w+)[,)]/g)) claims.push([key!, value!]);
    const checked = claims.filter(([key]) => key in defaults && defaults[key] !== undefined);
    expect(checked.length).toBeGreaterThan(12);
    for (const [key, value] of checked) expect(`${key} ${value}`).toBe(`${key} ${String(defaults[key])}`);
  });
});
