/**
 * `botswarm view`: a replay drawn step by step in one self-contained HTML page. Each game's drawing lives with
 * the game (src/games/<game>/view.ts); this module re-runs the replay into frames and wraps them in the page.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readReplay } from '../core/replay.ts';
import { loadEngine } from '../games/registry.ts';
import { buildViewData, type GameViewer, ViewError } from './frames.ts';
import { viewerPage } from './page.ts';

export { buildViewData, type GameViewer, type ViewData, ViewError, type ViewFrame } from './frames.ts';
export { SEAT_COLORS, viewerPage } from './page.ts';

/** One line per game with a viewer; a game without one cannot be viewed (yet). */
const viewers: Record<string, () => Promise<GameViewer>> = {
  galax: async () => (await import('../games/galax/view.ts')).galaxViewer as GameViewer,
  orerush: async () => (await import('../games/orerush/view.ts')).orerushViewer as GameViewer,
  carcassonne: async () => (await import('../games/carcassonne/view.ts')).carcassonneViewer as GameViewer,
  creepsmash: async () => (await import('../games/creepsmash/view.ts')).creepsmashViewer as GameViewer,
  catan: async () => (await import('../games/catan/view.ts')).catanViewer as GameViewer,
};

/** Every game's drawing, by game id (the live spectator page carries them all: a server may host several). */
export async function loadAllViewers(): Promise<Record<string, GameViewer>> {
  const entries = await Promise.all(Object.entries(viewers).map(async ([id, load]) => [id, await load()] as const));
  return Object.fromEntries(entries);
}

export async function loadViewer(game: string): Promise<GameViewer> {
  const load = viewers[game];
  if (!load) throw new ViewError(`no viewer for ${game} (games with one: ${Object.keys(viewers).join(', ')})`);
  return load();
}

/** Reads a replay file, re-runs it and returns the viewer page's HTML. */
export async function replayPage(replayPath: string): Promise<string> {
  const replay = readReplay(replayPath);
  const engine = await loadEngine(replay.game);
  const viewer = await loadViewer(replay.game);
  return viewerPage(buildViewData(engine, viewer, replay), viewer.renderer);
}

/** `replayPage` written to `outPath`. */
export async function writeReplayPage(replayPath: string, outPath: string): Promise<void> {
  writeFileSync(outPath, await replayPage(replayPath));
}

/** At most this many viewer pages per tournament (each re-runs its game; the others keep `botswarm view`). */
export const MAX_TOURNAMENT_VIEWS = 500;

/**
 * The viewer page beside each replay a tournament wrote (`replays/game-<i>.html`), for the links of
 * standings.html; the first `MAX_TOURNAMENT_VIEWS` games by index. A replay that cannot be drawn is skipped
 * (its link then shows the `botswarm view` command, which says why).
 */
export async function writeReplayViews(
  outDir: string,
  records: Iterable<{ readonly index: number; readonly replay?: string }>,
): Promise<number> {
  const withReplay = [...records].filter((r) => r.replay).sort((a, b) => a.index - b.index);
  let written = 0;
  for (const r of withReplay.slice(0, MAX_TOURNAMENT_VIEWS)) {
    const json = join(outDir, r.replay!);
    try {
      await writeReplayPage(json, json.replace(/\.json$/, '.html'));
      written++;
    } catch {
      // Left to `botswarm view`, which reports the reason to whoever runs it.
    }
  }
  return written;
}
