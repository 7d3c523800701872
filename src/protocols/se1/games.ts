import type { Se1Game } from './room.ts';

/** Games the SE1 server can host (`--game <id>` / `--set game=<id>`); loaded lazily. */
const loaders: Record<string, () => Promise<Se1Game>> = {
  carcassonne: async () => (await import('./carcassonne.ts')).carcassonneSe1,
  catan: async () => (await import('./catan.ts')).catanSe1,
  creepsmash: async () => (await import('./creepsmash.ts')).creepsmashSe1,
};

export const se1GameIds = (): string[] => Object.keys(loaders);

export async function loadSe1Game(id: string): Promise<Se1Game> {
  const load = loaders[id];
  if (!load) throw new Error(`the se1 server hosts no game "${id}" (known: ${se1GameIds().join(', ')})`);
  return load();
}
