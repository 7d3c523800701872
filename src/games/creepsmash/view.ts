/**
 * How `botswarm view` and the live page draw CreepSmash: every player's board at its place on the table (TL, TR,
 * BR, BL), the path and blocked cells, towers by kind with their level, creeps on the path with their health, and
 * per board the credits, income and lives. A step is a tick (20 a second), so the page keeps a picture per game
 * second (`frameEvery`), the ticks in between adding their lines to it. Nothing is hidden: every command is
 * broadcast with the tick it takes effect, so every seat sees the whole table.
 */
import type { GameViewer } from '../../view/frames.ts';
import { CELL_PX, CREEPS, TOWER_KINDS } from './data.ts';
import { DEFAULT_MAP, geometryOf, positionAt } from './map.ts';
import type { CreepSmashState } from './types.ts';

export interface CreepSmashView {
  readonly tick: number;
  /** Game time at this tick, in seconds (the config's tick length). */
  readonly seconds: number;
  readonly phase: string;
  /** Pixels a cell in the creeps' positions (the engine's unit); the page scales them to its own cell size. */
  readonly cellPx: number;
  readonly width: number;
  readonly height: number;
  /** Path cells in order, then blocked cells. */
  readonly path: readonly (readonly [number, number])[];
  readonly blocked: readonly (readonly [number, number])[];
  /** Per seat: [tile (0 TL, 1 TR, 2 BR, 3 BL), credits, income, lives, alive (1/0)] */
  readonly seats: readonly (readonly [number, number, number, number, number])[];
  /** [board (seat), x, y, kind index in TOWER_KINDS, level] */
  readonly towers: readonly (readonly [number, number, number, number, number])[];
  /** [board, pixel x, pixel y, health share (0..1), sender, slowed (1/0)] */
  readonly creeps: readonly (readonly [number, number, number, number, number, number])[];
}

/** The page-side drawing (pasted into the page: self-contained, no outer names). */
function renderCreepSmash(
  root: { innerHTML: string },
  v: CreepSmashView,
  info: { colors: readonly string[]; seat: number },
): void {
  const C = 14;
  const GAP = 24;
  const bw = v.width * C;
  const bh = v.height * C;
  const kinds = ['B', 'Sl', 'Sp', 'R', 'Sd', 'U'];
  const kindColors = ['#607d8b', '#29b6f6', '#ff7043', '#ab47bc', '#ffca28', '#ec407a'];
  const ox = (tile: number) => (tile === 1 || tile === 2 ? bw + GAP : 0) + 10;
  const oy = (tile: number) => (tile >= 2 ? bh + GAP + 18 : 0) + 40;
  const w = 2 * bw + GAP + 20;
  // Boards sit at their tiles; a table whose players all sit on top (2 players) has no bottom row.
  const rows = v.seats.some((s) => s[0] >= 2) ? 2 : 1;
  const h = rows * (bh + 18) + (rows - 1) * GAP + 50;
  let out = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" class="creepsmash">`;
  out += `<rect width="${w}" height="${h}" fill="#263238"/>`;
  out += `<text x="10" y="20" fill="#fff" font-size="14">tick ${v.tick} (${v.seconds.toFixed(1)} s) · ${v.phase}</text>`;
  v.seats.forEach((s, seat) => {
    const x0 = ox(s[0]);
    const y0 = oy(s[0]);
    const color = info.colors[seat % info.colors.length];
    out += `<g class="board" data-seat="${seat}" opacity="${s[4] ? 1 : 0.45}">`;
    out += `<rect x="${x0}" y="${y0}" width="${bw}" height="${bh}" fill="#37474f" stroke="${color}" stroke-width="3"/>`;
    for (const [x, y] of v.path)
      out += `<rect x="${x0 + x * C}" y="${y0 + y * C}" width="${C}" height="${C}" fill="#8d6e63"/>`;
    for (const [x, y] of v.blocked)
      out += `<rect x="${x0 + x * C}" y="${y0 + y * C}" width="${C}" height="${C}" fill="#111"/>`;
    out += `<text x="${x0}" y="${y0 + bh + 14}" fill="${color}" font-size="12" font-weight="bold">seat ${seat}: ${s[3]} lives · ${s[1]} credits · +${s[2]}${s[4] ? '' : ' · out'}</text>`;
    out += '</g>';
  });
  for (const t of v.towers) {
    const s = v.seats[t[0]]!;
    const x = ox(s[0]) + t[1] * C;
    const y = oy(s[0]) + t[2] * C;
    out += `<g class="tower" data-board="${t[0]}"><rect x="${x + 1}" y="${y + 1}" width="${C - 2}" height="${C - 2}" rx="2" fill="${kindColors[t[3]]}"/>`;
    out += `<text x="${x + C / 2}" y="${y + C - 3}" text-anchor="middle" font-size="8" fill="#000">${kinds[t[3]]}${t[4]}</text></g>`;
  }
  const scale = C / v.cellPx;
  for (const c of v.creeps) {
    const s = v.seats[c[0]]!;
    const x = ox(s[0]) + c[1] * scale;
    const y = oy(s[0]) + c[2] * scale;
    const color = info.colors[c[4] % info.colors.length];
    out += `<g class="creep" data-board="${c[0]}"><circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="4" fill="${color}" stroke="${c[5] ? '#81d4fa' : '#fff'}" stroke-width="${c[5] ? 2 : 1}"/>`;
    out += `<rect x="${(x - 5).toFixed(1)}" y="${(y - 8).toFixed(1)}" width="${(10 * c[3]).toFixed(1)}" height="2" fill="#76ff03"/></g>`;
  }
  out += `<text x="${w - 10}" y="20" fill="#fff" font-size="12" text-anchor="end">${info.seat >= 0 ? `seat ${info.seat} sees everything` : 'full state'}</text></svg>`;
  root.innerHTML = out;
}

const seconds = (s: CreepSmashState) => (s.tick * s.config.tickMs) / 1000;

function viewOf(s: CreepSmashState): CreepSmashView {
  const g = geometryOf(s.config.map ?? DEFAULT_MAP);
  const map = g.map;
  return {
    tick: s.tick,
    seconds: seconds(s),
    phase: s.phase,
    cellPx: CELL_PX,
    width: map.width,
    height: map.height,
    path: map.path,
    blocked: map.blocked,
    seats: s.seats.map((p) => [p.tile, p.credits, p.income, p.lives, p.alive ? 1 : 0] as const),
    towers: s.towers.map((t) => [t.board, t.x, t.y, TOWER_KINDS.indexOf(t.kind), t.level] as const),
    creeps: s.creeps.map((c) => {
      const [x, y] = positionAt(g, c.progress);
      const health = Math.max(0, Math.min(1, c.hp / CREEPS[c.kind].health));
      return [
        c.board,
        Math.round(x),
        Math.round(y),
        Math.round(health * 100) / 100,
        c.sender,
        c.slowUntil > s.tick ? 1 : 0,
      ] as const;
    }),
  };
}

export const creepsmashViewer: GameViewer<CreepSmashState, unknown, CreepSmashView> = {
  game: 'creepsmash',
  scoreName: 'lives',
  frameEvery: 20,
  nothingHidden: 'CreepSmash hides nothing: every command is broadcast with the tick it takes effect',
  full: viewOf,
  scores: (s) => s.seats.map((p) => p.lives),
  label: (s) => `tick ${s.tick} (${seconds(s).toFixed(1)} s)`,
  renderer: renderCreepSmash.toString(),
};
