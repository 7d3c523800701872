/**
 * How `botswarm view` draws Ore Rush: the grid with the headquarters column, ore by kind and units, holes,
 * radars, traps and the robots with their cargo. A seat's view is its observation: ore only under its radars,
 * its own traps and radars, enemy robots only where its radars see.
 */
import type { GameViewer } from '../../view/frames.ts';
import { visibleEvents, visionMask } from './engine.ts';
import type { Item, OreRushEvent, OreRushObservation, OreRushState, Robot } from './types.ts';

export interface OreRushView {
  readonly width: number;
  readonly height: number;
  readonly round: number;
  readonly rounds: number;
  /** One character per cell, row by row: units of ore in base 36, `.` where unknown. */
  readonly ore: string;
  /** One character per cell: ore kind 0..4, `-` for no vein or unknown. */
  readonly kinds: string;
  /** One character per cell: `0` no hole, `1` a hole, `2` a hole this seat dug (seat views only). */
  readonly holes: string;
  /** One character per cell in a seat's view: `1` where its radars see; empty for the full state. */
  readonly vision: string;
  /** [owner, id, x, y, cargo (`R` radar, `T` trap, `c i g p n` ore, `` nothing, `?` unknown)] */
  readonly robots: readonly (readonly [number, number, number, number, string])[];
  /** [x, y, owner] */
  readonly radars: readonly (readonly [number, number, number])[];
  readonly traps: readonly (readonly [number, number, number])[];
}

const CARGO: Record<string, string> = {
  radar: 'R',
  trap: 'T',
  copper: 'c',
  iron: 'i',
  gold: 'g',
  platinum: 'p',
  indium: 'n',
};
const cargo = (item: Item) => (item === null ? '' : CARGO[item]!);
const grid = (cells: readonly number[], f: (v: number) => string) => cells.map(f).join('');
const oreText = (cells: readonly number[]) => grid(cells, (v) => (v < 0 ? '.' : Math.min(v, 35).toString(36)));
const kindText = (cells: readonly number[]) => grid(cells, (v) => (v < 0 ? '-' : String(v)));
const live = (robots: readonly Robot[]) =>
  robots.filter((r) => r.alive).map((r) => [r.owner, r.id, r.x, r.y, cargo(r.item)] as const);

/** The page-side drawing (pasted into the page: self-contained, no outer names). */
function renderOreRush(
  root: { innerHTML: string },
  v: OreRushView,
  info: { colors: readonly string[]; seat: number },
): void {
  const C = 26;
  const M = 24;
  const w = v.width * C + 2 * M;
  const h = v.height * C + 2 * M + 16;
  const ORE = ['#b87333', '#8d99ae', '#ffd700', '#e5e4e2', '#7b68ee'];
  const color = (seat: number) => info.colors[seat % info.colors.length]!;
  let out = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" class="orerush">`;
  out += `<rect width="${w}" height="${h}" fill="#5d4037"/>`;
  out += `<text x="${M}" y="18" fill="#fff" font-size="13">round ${v.round} / ${v.rounds}${info.seat >= 0 ? ` — seen by seat ${info.seat}` : ' — full state'}</text>`;
  for (let y = 0; y < v.height; y++) {
    for (let x = 0; x < v.width; x++) {
      const i = y * v.width + x;
      const cx = M + x * C;
      const cy = M + 8 + y * C;
      const ore = v.ore[i]!;
      const kind = v.kinds[i]!;
      const unknown = ore === '.';
      const fill = x === 0 ? '#3e2723' : unknown ? '#6d4c41' : '#8d6e63';
      out += `<rect class="cell${unknown ? ' unknown' : ''}" x="${cx}" y="${cy}" width="${C - 1}" height="${C - 1}" fill="${fill}"/>`;
      if (v.vision && v.vision[i] === '1')
        out += `<rect x="${cx}" y="${cy}" width="${C - 1}" height="${C - 1}" fill="#fff" fill-opacity="0.12"/>`;
      if (!unknown && ore !== '0' && kind !== '-') {
        out += `<rect class="ore" x="${cx + 3}" y="${cy + 3}" width="${C - 7}" height="${C - 7}" rx="4" fill="${ORE[Number(kind)]}" fill-opacity="0.85"/>`;
        out += `<text x="${cx + C / 2}" y="${cy + C / 2 + 4}" font-size="11" text-anchor="middle" fill="#000">${parseInt(ore, 36)}</text>`;
      }
      const hole = v.holes[i]!;
      if (hole !== '0')
        out += `<circle class="hole" cx="${cx + 5}" cy="${cy + 5}" r="3.5" fill="#000" stroke="${hole === '2' ? '#fff' : 'none'}"/>`;
    }
  }
  for (const [x, y, owner] of v.radars) {
    const cx = M + x * C + C / 2;
    const cy = M + 8 + y * C + C / 2;
    out += `<g class="radar" data-owner="${owner}"><circle cx="${cx}" cy="${cy}" r="${C / 2 - 2}" fill="none" stroke="${color(owner)}" stroke-width="2"/><text x="${cx + 6}" y="${cy - 5}" font-size="9" fill="#fff">R</text></g>`;
  }
  for (const [x, y, owner] of v.traps) {
    const cx = M + x * C + C - 9;
    const cy = M + 8 + y * C + C - 9;
    out += `<g class="trap" data-owner="${owner}"><rect x="${cx}" y="${cy}" width="8" height="8" fill="#e53935" stroke="${color(owner)}" stroke-width="1.5"/></g>`;
  }
  for (const [owner, id, x, y, item] of v.robots) {
    const cx = M + x * C + C / 2 + ((id % 3) - 1) * 3;
    const cy = M + 8 + y * C + C / 2 + ((id % 2) * 2 - 1) * 2;
    out += `<g class="robot" data-owner="${owner}"><title>seat ${owner} robot ${id} at ${x},${y}${item ? ` carrying ${item}` : ''}</title><circle cx="${cx}" cy="${cy}" r="7" fill="${color(owner)}" stroke="#fff"/>`;
    if (item) out += `<text x="${cx}" y="${cy + 3}" font-size="9" text-anchor="middle" fill="#fff">${item}</text>`;
    out += '</g>';
  }
  root.innerHTML = `${out}</svg>`;
}

export const orerushViewer: GameViewer<OreRushState, OreRushObservation, OreRushView> = {
  game: 'orerush',
  scoreName: 'points',
  full: (s) => ({
    width: s.config.width,
    height: s.config.height,
    round: s.round,
    rounds: s.config.rounds,
    ore: oreText(s.ore),
    kinds: kindText(s.kinds),
    holes: grid(s.dug, (d) => (d ? '1' : '0')),
    vision: '',
    robots: live(s.robots),
    radars: s.radars.map((r) => [r.x, r.y, r.owner] as const),
    traps: s.traps.map((t) => [t.x, t.y, t.owner] as const),
  }),
  seat: (o, seat, s) => {
    const hasRadar = o.radars.length > 0;
    return {
      width: o.width,
      height: o.height,
      round: o.round,
      rounds: o.rounds,
      ore: oreText(o.ore),
      kinds: kindText(o.kinds),
      holes: grid(o.holes, String),
      vision: hasRadar ? Array.from(visionMask(s, seat)).join('') : '',
      robots: [...live(o.robots), ...o.enemies.map((e) => [e.owner, e.id, e.x, e.y, '?'] as const)],
      radars: o.radars.map((r) => [r.x, r.y, seat] as const),
      traps: o.traps.map((t) => [t.x, t.y, seat] as const),
    };
  },
  seatEvents: (events, seat) => visibleEvents(events as OreRushEvent[], seat),
  scores: (s) => s.scores.slice(),
  label: (s) => `round ${s.round}/${s.config.rounds}`,
  renderer: renderOreRush.toString(),
};
