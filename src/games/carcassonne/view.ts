/**
 * How `botswarm view` draws Carcassonne: every placed tile with its cities (pennants), roads, cloisters and
 * fields, the followers in their owners' colours on the feature they hold (a completed feature is drawn darker),
 * the tile drawn this turn, the deck and the followers left. Everything but the deck order is public, so every
 * seat's observation is the state itself and the seat switch shows the same picture.
 */
import type { GameViewer } from '../../view/frames.ts';
import { featureOf, kindName } from './engine.ts';
import { TILE_KINDS } from './tiles.ts';
import type { CarcassonneObservation, CarcassonneState } from './types.ts';

/** A segment: [type `c` city, `r` road, `f` field, `k` cloister, ports after rotation, pennant 0/1, follower's seat or -1, completed 0/1] */
export type SegmentView = readonly [string, readonly number[], number, number, number];

export interface CarcassonneView {
  readonly turn: number;
  readonly current: number;
  readonly drawn: string;
  readonly deckLeft: number;
  readonly followers: readonly number[];
  /** [x, y, kind letter, rotation, segments] */
  readonly tiles: readonly (readonly [number, number, string, number, readonly SegmentView[]])[];
  /** Index into `tiles` of the tile placed by the last step, or -1. */
  readonly last: number;
}

const TYPE: Record<string, string> = { city: 'c', road: 'r', field: 'f', cloister: 'k' };

function viewOf(s: CarcassonneState): CarcassonneView {
  const tiles = s.tiles.map((t) => {
    const kind = TILE_KINDS[t.kind]!;
    const segments = kind.segments.map((seg, i): SegmentView => {
      const id = t.seg0 + i;
      const root = featureOf(s, id);
      const done = seg.type !== 'field' && s.open[root] === 0 ? 1 : 0;
      return [
        TYPE[seg.type]!,
        seg.ports.map((p) => (p + 3 * t.rot) % 12),
        seg.pennant ? 1 : 0,
        s.owner[id] ?? -1,
        done,
      ];
    });
    return [t.x, t.y, kind.id, t.rot, segments] as const;
  });
  return {
    turn: s.turn,
    current: s.current,
    drawn: s.drawn < 0 ? '' : kindName(s.drawn),
    deckLeft: s.deckLeft,
    followers: s.followers.slice(),
    tiles,
    last: s.turn > 0 ? s.tiles.length - 1 : -1,
  };
}

/** The page-side drawing (pasted into the page: self-contained, no outer names). */
function renderCarcassonne(
  root: { innerHTML: string },
  v: CarcassonneView,
  info: { colors: readonly string[]; seat: number; players: number },
): void {
  const T = 54;
  const xs = v.tiles.map((t) => t[0]);
  const ys = v.tiles.map((t) => t[1]);
  const x0 = Math.min(...xs) - 1;
  const y0 = Math.min(...ys) - 1;
  const cols = Math.max(...xs) - x0 + 2;
  const rows = Math.max(...ys) - y0 + 2;
  const w = Math.max(cols * T, 420);
  const h = rows * T + 40;
  const color = (seat: number) => info.colors[seat % info.colors.length]!;
  // Port p (clockwise from the north-west corner) as a point on the unit tile.
  const port = (p: number): [number, number] => {
    const d = Math.floor(p / 3);
    const f = ((p % 3) + 1) / 4;
    return d === 0 ? [f, 0] : d === 1 ? [1, f] : d === 2 ? [1 - f, 1] : [0, 1 - f];
  };
  const corners: [number, number][] = [
    [0, 0],
    [1, 0],
    [1, 1],
    [0, 1],
  ];
  let out = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" class="carcassonne">`;
  out += `<rect width="${w}" height="${h}" fill="#eceff1"/>`;
  const who = info.seat >= 0 ? ` — seat ${info.seat}'s view (the same: only the deck order is hidden)` : '';
  out += `<text x="8" y="18" font-size="13">turn ${v.turn} · seat ${v.current} to play${v.drawn ? ` · drawn ${v.drawn}` : ''} · ${v.deckLeft} tiles left · followers ${v.followers.join(' : ')}${who}</text>`;
  v.tiles.forEach((t, index) => {
    const ox = (t[0] - x0) * T;
    const oy = 30 + (t[1] - y0) * T;
    const P = (u: number, q: number) => `${(ox + u * T).toFixed(1)},${(oy + q * T).toFixed(1)}`;
    out += `<g class="tile" data-kind="${t[2]}"><title>${t[2]} at ${t[0]},${t[1]} R${t[3] * 90}</title>`;
    out += `<rect x="${ox}" y="${oy}" width="${T}" height="${T}" fill="#8bc34a" stroke="#558b2f"/>`;
    for (const [type, ports, pennant, , done] of t[4]) {
      if (type !== 'c') continue;
      const sides = [0, 1, 2, 3].filter((d) => ports.includes(d * 3) && ports.includes(d * 3 + 2));
      const fill = done ? '#a1662f' : '#d7a86e';
      for (const d of sides) {
        const a = corners[d]!;
        const b = corners[(d + 1) % 4]!;
        const depth = sides.length > 1 ? 0.5 : 0.3;
        const n: [number, number] = d === 0 ? [0, 1] : d === 1 ? [-1, 0] : d === 2 ? [0, -1] : [1, 0];
        const inner =
          sides.length > 1
            ? P(0.5, 0.5)
            : `${P(b[0] + n[0] * depth - (b[0] - a[0]) * 0.2, b[1] + n[1] * depth - (b[1] - a[1]) * 0.2)} ${P(a[0] + n[0] * depth + (b[0] - a[0]) * 0.2, a[1] + n[1] * depth + (b[1] - a[1]) * 0.2)}`;
        out += `<polygon class="city" points="${P(a[0], a[1])} ${P(b[0], b[1])} ${inner}" fill="${fill}" stroke="${fill}"/>`;
      }
      if (pennant)
        out += `<rect x="${ox + T * 0.42}" y="${oy + T * 0.08}" width="${T * 0.16}" height="${T * 0.16}" fill="#1565c0"/>`;
    }
    for (const [type, ports, , , done] of t[4]) {
      if (type === 'r') {
        const stroke = done ? '#9e9e9e' : '#fffde7';
        const [a, b] = [port(ports[0]!), ports[1] === undefined ? null : port(ports[1])];
        const path = b
          ? `M${P(a[0], a[1])} Q${P(0.5, 0.5)} ${P(b[0], b[1])}`
          : `M${P(a[0], a[1])} L${P(0.5 + (a[0] - 0.5) * 0.3, 0.5 + (a[1] - 0.5) * 0.3)}`;
        out += `<path class="road" d="${path}" stroke="${stroke}" stroke-width="5" fill="none"/>`;
      } else if (type === 'k') {
        out += `<rect class="cloister" x="${ox + T * 0.35}" y="${oy + T * 0.35}" width="${T * 0.3}" height="${T * 0.3}" fill="${done ? '#6d1b1b' : '#c62828'}"/>`;
      }
    }
    for (const [type, ports, , owner] of t[4]) {
      if (owner < 0) continue;
      let u = 0.5;
      let q = 0.5;
      if (ports.length) {
        const pts = ports.map(port);
        u = pts.reduce((s, p) => s + p[0], 0) / pts.length;
        q = pts.reduce((s, p) => s + p[1], 0) / pts.length;
        const pull = type === 'r' ? 0.5 : 0.35;
        u = u + (0.5 - u) * pull;
        q = q + (0.5 - q) * pull;
      }
      const shape =
        type === 'f'
          ? `<rect x="${ox + u * T - 6}" y="${oy + q * T - 6}" width="12" height="12" transform="rotate(45 ${ox + u * T} ${oy + q * T})"`
          : `<circle cx="${ox + u * T}" cy="${oy + q * T}" r="6.5"`;
      out += `${shape} class="follower" data-owner="${owner}" fill="${color(owner)}" stroke="#000" stroke-width="1.2"/>`;
    }
    if (index === v.last)
      out += `<rect x="${ox + 1}" y="${oy + 1}" width="${T - 2}" height="${T - 2}" fill="none" stroke="#ff1744" stroke-width="2.5"/>`;
    out += '</g>';
  });
  root.innerHTML = `${out}</svg>`;
}

export const carcassonneViewer: GameViewer<CarcassonneState, CarcassonneObservation, CarcassonneView> = {
  game: 'carcassonne',
  scoreName: 'points',
  nothingHidden:
    'Carcassonne hides only the order of the deck: every seat observes the whole board, so its view is the full state.',
  full: viewOf,
  scores: (s) => s.scores.slice(),
  label: (s) => `turn ${s.turn}${s.over ? ' (over)' : ''}`,
  renderer: renderCarcassonne.toString(),
};
