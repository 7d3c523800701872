/**
 * How `botswarm view` and the live page draw Catan: the island (terrain, number tokens, harbours, the robber),
 * settlements, cities and roads by seat, and per seat its points and cards. The full state shows every hand by
 * kind; a seat's view is its observation: its own hand and development cards exactly, the others' as counts (and
 * the cards it surely knows of them), and only public points for the others.
 *
 * The island's geometry is the same for every layout, so frames carry no coordinates: the renderer rebuilds the
 * vertex and edge numbering from the hex grid exactly as topology.ts does (reading order of the corner grid).
 */
import type { GameViewer } from '../../view/frames.ts';
import { RESOURCES } from './board.ts';
import { totalPoints, visibleEvents } from './engine.ts';
import { EDGE_VERTICES } from './topology.ts';
import type { CatanEvent, CatanObservation, CatanState, Terrain } from './types.ts';

const TERRAINS: readonly Terrain[] = ['hills', 'forest', 'pasture', 'fields', 'mountains', 'desert'];

export interface CatanView {
  readonly label: string;
  /** Per hex (topology order): terrain index (hills, forest, pasture, fields, mountains, desert) and number token. */
  readonly terrain: readonly number[];
  readonly numbers: readonly number[];
  readonly robber: number;
  /** [edge, resource (-1 = 3:1)] */
  readonly harbours: readonly (readonly [number, number])[];
  /** [vertex, seat, 1 = city] */
  readonly buildings: readonly (readonly [number, number, number])[];
  /** [edge, seat] */
  readonly roads: readonly (readonly [number, number])[];
  /** Every edge's two vertices (fixed; lets the renderer place roads and harbours). */
  readonly edges: readonly (readonly [number, number])[];
  /**
   * Per seat: points (-1 where this view cannot know them: the others' hidden VP cards; then `publicPoints`),
   * public points, cards in hand (count), cards by kind (-1 = unknown to this view), development cards (count),
   * knights played, longest road length.
   */
  readonly seats: readonly {
    readonly points: number;
    readonly publicPoints: number;
    readonly cards: number;
    readonly hand: readonly number[];
    readonly devs: number;
    readonly knights: number;
    readonly road: number;
  }[];
  readonly current: number;
  readonly longestRoad: number;
  readonly largestArmy: number;
  /** Names of the card kinds in `hand` (5 resources; Cities & Knights adds commodities). */
  readonly kinds: readonly string[];
  /**
   * Cities & Knights only: knights [vertex, seat, strength 1..3, active 1/0], city walls (vertices), metropolises
   * [vertex, track 0 trade, 1 politics, 2 science], the barbarian ship's position (0..6; the 7th advance attacks).
   */
  readonly ck?: {
    readonly knights: readonly (readonly [number, number, number, number])[];
    readonly walls: readonly number[];
    readonly metropolis: readonly (readonly [number, number])[];
    readonly barbarian: number;
    /** The merchant [hex, seat that controls it], once a Merchant card was played. */
    readonly merchant?: readonly [number, number];
  };
}

/** The page-side drawing (pasted into the page: self-contained, no outer names). */
function renderCatan(
  root: { innerHTML: string },
  v: CatanView,
  info: { colors: readonly string[]; seat: number },
): void {
  // Hex grid as in topology.ts: axial rows r = -2..2; centre (2q + r, 3r); corners at these offsets.
  const corners = [
    [0, -2],
    [1, -1],
    [1, 1],
    [0, 2],
    [-1, 1],
    [-1, -1],
  ];
  const hexes: number[][] = [];
  for (let r = -2; r <= 2; r++)
    for (let q = Math.max(-2, -2 - r); q <= Math.min(2, 2 - r); q++) hexes.push([2 * q + r, 3 * r]);
  const seen: Record<string, number[]> = {};
  for (const [cx, cy] of hexes)
    for (const [dx, dy] of corners) seen[`${cx! + dx!},${cy! + dy!}`] = [cx! + dx!, cy! + dy!];
  const vertices = Object.values(seen).sort((a, b) => a[1]! - b[1]! || a[0]! - b[0]!);
  const S = 46;
  const X = (gx: number) => 320 + gx * S * 0.866;
  const Y = (gy: number) => 265 + gy * S * 0.5;
  const fills = ['#c0603a', '#2e7d32', '#9ccc65', '#fbc02d', '#78909c', '#d7ccc8'];
  const resColors = ['#c0603a', '#2e7d32', '#9ccc65', '#fbc02d', '#78909c', '#8d6e63', '#ce93d8', '#ffd54f'];
  const color = (seat: number) => info.colors[seat % info.colors.length];
  let out = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 900 530" class="catan">';
  out += '<rect width="900" height="530" fill="#4fc3f7"/>';
  hexes.forEach(([cx, cy], h) => {
    const pts = corners.map(([dx, dy]) => `${X(cx! + dx!).toFixed(1)},${Y(cy! + dy!).toFixed(1)}`).join(' ');
    out += `<polygon class="hex" data-hex="${h}" points="${pts}" fill="${fills[v.terrain[h]!]}" stroke="#f5f5dc" stroke-width="2"/>`;
    const n = v.numbers[h]!;
    if (n > 0) {
      out += `<circle cx="${X(cx!)}" cy="${Y(cy!)}" r="11" fill="#fff8e1"/>`;
      out += `<text x="${X(cx!)}" y="${Y(cy!) + 4}" text-anchor="middle" font-size="12" font-weight="bold" fill="${n === 6 || n === 8 ? '#c62828' : '#333'}">${n}</text>`;
    }
    if (h === v.robber)
      out += `<circle class="robber" cx="${X(cx!) + 14}" cy="${Y(cy!) - 12}" r="7" fill="#212121" stroke="#fff"/>`;
  });
  for (const [e, res] of v.harbours) {
    const [a, b] = v.edges[e]!;
    const mx = (X(vertices[a!]![0]!) + X(vertices[b!]![0]!)) / 2;
    const my = (Y(vertices[a!]![1]!) + Y(vertices[b!]![1]!)) / 2;
    const dx = mx - 320;
    const dy = my - 265;
    const k = 18 / Math.hypot(dx, dy);
    out += `<circle cx="${(mx + dx * k).toFixed(1)}" cy="${(my + dy * k).toFixed(1)}" r="9" fill="${res < 0 ? '#fff' : resColors[res]}" stroke="#01579b"/>`;
    out += `<text x="${(mx + dx * k).toFixed(1)}" y="${(my + dy * k + 3).toFixed(1)}" text-anchor="middle" font-size="8">${res < 0 ? '3:1' : '2:1'}</text>`;
  }
  for (const [e, seat] of v.roads) {
    const [a, b] = v.edges[e]!;
    out += `<line class="road" data-seat="${seat}" x1="${X(vertices[a!]![0]!)}" y1="${Y(vertices[a!]![1]!)}" x2="${X(vertices[b!]![0]!)}" y2="${Y(vertices[b!]![1]!)}" stroke="${color(seat)}" stroke-width="6" stroke-linecap="round"/>`;
  }
  for (const [vertex, seat, city] of v.buildings) {
    const x = X(vertices[vertex]![0]!);
    const y = Y(vertices[vertex]![1]!);
    out += city
      ? `<rect class="city" data-seat="${seat}" x="${x - 8}" y="${y - 8}" width="16" height="16" fill="${color(seat)}" stroke="#fff" stroke-width="2"/>`
      : `<circle class="settlement" data-seat="${seat}" cx="${x}" cy="${y}" r="6" fill="${color(seat)}" stroke="#fff" stroke-width="2"/>`;
  }
  if (v.ck) {
    for (const w of v.ck.walls)
      out += `<circle class="wall" cx="${X(vertices[w]![0]!)}" cy="${Y(vertices[w]![1]!)}" r="12" fill="none" stroke="#5d4037" stroke-width="3"/>`;
    for (const [m, track] of v.ck.metropolis)
      out += `<text class="metropolis" x="${X(vertices[m]![0]!)}" y="${Y(vertices[m]![1]!) - 12}" text-anchor="middle" font-size="10" font-weight="bold">${['T', 'P', 'S'][track]}★</text>`;
    for (const [k, seat, strength, active] of v.ck.knights) {
      const x = X(vertices[k]![0]!);
      const y = Y(vertices[k]![1]!);
      out += `<g class="knight" data-seat="${seat}"><polygon points="${x},${y - 9} ${x + 8},${y + 6} ${x - 8},${y + 6}" fill="${active ? color(seat) : '#fff'}" stroke="${color(seat)}" stroke-width="2"/>`;
      out += `<text x="${x}" y="${y + 4}" text-anchor="middle" font-size="8" fill="${active ? '#fff' : '#000'}">${strength}</text></g>`;
    }
    out += `<text class="barbarian" x="10" y="40" font-size="12" fill="#b71c1c">barbarians ${v.ck.barbarian}/7</text>`;
    if (v.ck.merchant) {
      // The merchant: a cone in its owner's colour, left of the hex centre (the robber stands right of it).
      const [mh, ms] = v.ck.merchant;
      const mx = X(hexes[mh]![0]!) - 14;
      const my = Y(hexes[mh]![1]!) - 12;
      out += `<polygon class="merchant" data-seat="${ms}" points="${mx},${my - 9} ${mx + 6},${my + 7} ${mx - 6},${my + 7}" fill="${color(ms)}" stroke="#000" stroke-width="1"/>`;
    }
  }
  out += `<text x="10" y="20" font-size="14" fill="#01579b">${v.label}</text>`;
  out += `<text x="650" y="20" font-size="12" fill="#01579b" text-anchor="end">${info.seat >= 0 ? `seen by seat ${info.seat}` : 'full state'}</text>`;
  v.seats.forEach((s, seat) => {
    const y0 = 40 + seat * 110;
    out += `<g class="seat" data-seat="${seat}"><rect x="665" y="${y0}" width="228" height="100" rx="6" fill="#fff" stroke="${color(seat)}" stroke-width="${seat === v.current ? 4 : 1.5}"/>`;
    const pts = s.points >= 0 ? `${s.points} points` : `${s.publicPoints}+? points`;
    const titles =
      (v.longestRoad === seat ? ' · longest road' : '') + (v.largestArmy === seat ? ' · largest army' : '');
    out += `<text x="673" y="${y0 + 17}" font-size="12" font-weight="bold" fill="${color(seat)}">seat ${seat}: ${pts}${titles}</text>`;
    out += `<text x="673" y="${y0 + 34}" font-size="11">${s.cards} cards · ${s.devs} dev · ${s.knights} knights · road ${s.road}</text>`;
    s.hand.forEach((n, k) => {
      const x = 673 + (k % 5) * 44;
      const y = y0 + 44 + Math.floor(k / 5) * 26;
      out += `<rect x="${x}" y="${y}" width="40" height="22" rx="3" fill="${resColors[k]}" opacity="0.85"/>`;
      out += `<text class="card" x="${x + 20}" y="${y + 15}" text-anchor="middle" font-size="11" fill="#000">${v.kinds[k]!.slice(0, 3)} ${n < 0 ? '?' : n}</text>`;
    });
    out += '</g>';
  });
  out += '</svg>';
  root.innerHTML = out;
}

const phaseLabel = (s: Pick<CatanState, 'turn' | 'current' | 'step'>) =>
  `turn ${s.turn} · seat ${s.current} · ${s.step.phase}`;

const kindsOf = (n: number): string[] =>
  n === RESOURCES.length ? [...RESOURCES] : [...RESOURCES, 'paper', 'cloth', 'coin'].slice(0, n);

/** The Cities & Knights pieces on the board (public: the same in the state and every observation). */
function ckPieces(ck: CatanState['ck'] | CatanObservation['ck']): CatanView['ck'] {
  if (!ck) return undefined;
  return {
    knights: ck.knights.flatMap((k, v) => (k < 0 ? [] : [[v, k >> 3, (k >> 1) & 3, k & 1] as const])),
    walls: ck.walls.flatMap((w, v) => (w ? [v] : [])),
    metropolis: ck.metropolis.flatMap((v, track) => (v < 0 ? [] : [[v, track] as const])),
    barbarian: ck.barbarian,
    ...(ck.merchant >= 0 ? { merchant: [ck.merchant, ck.merchantOwner] as const } : {}),
  };
}

const common = (s: CatanState | CatanObservation) => ({
  ck: ckPieces(s.ck),
  terrain: s.board.terrain.map((t) => TERRAINS.indexOf(t)),
  numbers: s.board.numbers,
  robber: s.robber,
  harbours: s.board.harbours.map((h) => [h.edge, h.resource] as const),
  buildings: s.buildings.flatMap((b, v) => (b < 0 ? [] : [[v, b >> 1, b & 1] as const])),
  roads: s.roads.flatMap((seat, e) => (seat < 0 ? [] : [[e, seat] as const])),
  edges: EDGE_VERTICES,
  current: s.current,
  longestRoad: s.longestRoad,
  largestArmy: s.largestArmy,
});

function fullView(s: CatanState): CatanView {
  const kinds = s.bank.length;
  const devKinds = s.devs.length / s.players;
  return {
    ...common(s),
    label: phaseLabel(s),
    kinds: kindsOf(kinds),
    seats: Array.from({ length: s.players }, (_, seat) => {
      const hand = s.hands.slice(seat * kinds, (seat + 1) * kinds);
      const devs = s.devs.slice(seat * devKinds, (seat + 1) * devKinds);
      const points = totalPoints(s, seat);
      return {
        points,
        publicPoints: points,
        cards: hand.reduce((a, b) => a + b, 0),
        hand,
        devs: devs.reduce((a, b) => a + b, 0) + (seat === s.current ? s.devNew.reduce((a, b) => a + b, 0) : 0),
        knights: s.knights[seat]!,
        road: s.roadLength[seat]!,
      };
    }),
  };
}

function seatView(o: CatanObservation, seat: number): CatanView {
  const kinds = o.hand.length;
  return {
    ...common(o),
    label: phaseLabel(o),
    kinds: kindsOf(kinds),
    seats: Array.from({ length: o.players }, (_, other) => {
      const own = other === seat;
      const vp = own ? o.devs[1]! + o.devNew[1]! : 0;
      return {
        points: own ? o.publicPoints[other]! + vp : -1,
        publicPoints: o.publicPoints[other]!,
        cards: o.handSizes[other]!,
        // What this seat can tell of another hand: the cards it surely holds; unknown kinds show as '?'.
        hand: own
          ? o.hand
          : Array.from({ length: kinds }, (_, k) => (o.unknown[other]! > 0 ? -1 : (o.known[other * kinds + k] ?? -1))),
        devs: o.devCounts[other]!,
        knights: o.knights[other]!,
        road: o.roadLength[other]!,
      };
    }),
  };
}

export const catanViewer: GameViewer<CatanState, CatanObservation, CatanView> = {
  game: 'catan',
  scoreName: 'victory points',
  full: fullView,
  seat: (o, seat) => seatView(o, seat),
  seatEvents: (events, seat) => visibleEvents(events as CatanEvent[], seat),
  scores: (s) => Array.from({ length: s.players }, (_, seat) => totalPoints(s, seat)),
  label: phaseLabel,
  renderer: renderCatan.toString(),
};
