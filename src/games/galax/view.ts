/**
 * How `botswarm view` draws Galax: planets by owner with ships and production, fleets on their way (position by
 * the time flown, label with ships and arrival), and the battles of the last phase. A seat's view is its
 * observation: under fog, enemy garrisons read `?` and only its own fleets fly.
 */
import type { GameViewer } from '../../view/frames.ts';
import { shipsPerPlayer, visibleEvents } from './engine.ts';
import { formatYear, travelTime } from './rules.ts';
import type { GalaxEvent, GalaxObservation, GalaxState, OwnFleet, Planet } from './types.ts';

export interface GalaxView {
  readonly width: number;
  readonly height: number;
  readonly year: string;
  /** [id, x, y, owner (player id, 0 = independent), ships (-1 unknown), production (-1 unknown)] */
  readonly planets: readonly (readonly [number, number, number, number, number, number])[];
  /** [owner, from, to, ships, share of the trip flown (0..1), arrival year] */
  readonly fleets: readonly (readonly [number, number, number, number, number, string])[];
  /** [planet, attacker, defender, winner, ships left] of the last battle phase */
  readonly battles: readonly (readonly [number, number, number, number, number])[];
}

function fleetsOf(planets: readonly Planet[], year: number, fleets: readonly (OwnFleet & { owner: number })[]) {
  return fleets.map((f) => {
    const trip = travelTime(planets[f.from]!, planets[f.to]!);
    const flown = trip > 0 ? Math.min(1, Math.max(0, 1 - (f.arrival - year) / trip)) : 1;
    return [f.owner, f.from, f.to, f.ships, Math.round(flown * 1000) / 1000, formatYear(f.arrival)] as const;
  });
}

const battlesOf = (events: readonly GalaxEvent[]) =>
  events.flatMap((e) => (e.kind === 'battle' ? [[e.planet, e.attacker, e.defender, e.winner, e.ships] as const] : []));

const planetsOf = (planets: readonly Planet[]) =>
  planets.map((p) => [p.id, p.x, p.y, p.owner, p.ships, p.production] as const);

/** The page-side drawing (pasted into the page: self-contained, no outer names). */
function renderGalax(
  root: { innerHTML: string },
  v: GalaxView,
  info: { colors: readonly string[]; seat: number },
): void {
  const S = 40;
  const M = 30;
  const w = v.width * S + 2 * M;
  const h = v.height * S + 2 * M + 20;
  const px = (x: number) => M + x * S + S / 2;
  const py = (y: number) => M + y * S + S / 2;
  const color = (owner: number) => (owner === 0 ? '#9e9e9e' : info.colors[(owner - 1) % info.colors.length]!);
  const byId = new Map(v.planets.map((p) => [p[0], p]));
  let out = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" class="galax">`;
  out += `<rect width="${w}" height="${h}" fill="#0d1b2a"/>`;
  out += `<text x="${M}" y="20" fill="#fff" font-size="14">year ${v.year}</text>`;
  for (const f of v.fleets) {
    const a = byId.get(f[1])!;
    const b = byId.get(f[2])!;
    out += `<line x1="${px(a[1])}" y1="${py(a[2])}" x2="${px(b[1])}" y2="${py(b[2])}" stroke="${color(f[0])}" stroke-opacity="0.35" stroke-dasharray="4 4"/>`;
  }
  for (const p of v.planets) {
    const r = 8 + Math.max(0, p[5]) * 1.5;
    const battle = v.battles.find((b) => b[0] === p[0]);
    if (battle)
      out += `<circle class="battle" cx="${px(p[1])}" cy="${py(p[2])}" r="${r + 7}" fill="none" stroke="#ffeb3b" stroke-width="3"><title>battle: P${battle[1]} attacked P${battle[2]}, P${battle[3]} kept it with ${battle[4]}</title></circle>`;
    out += `<circle class="planet" data-id="${p[0]}" data-owner="${p[3]}" cx="${px(p[1])}" cy="${py(p[2])}" r="${r}" fill="${color(p[3])}" stroke="#fff" stroke-width="1"><title>planet ${p[0]} owner ${p[3] === 0 ? 'independent' : `seat ${p[3] - 1}`} ships ${p[4] < 0 ? '?' : p[4]} production ${p[5] < 0 ? '?' : p[5]}</title></circle>`;
    out += `<text class="ships" x="${px(p[1])}" y="${py(p[2]) + 4}" text-anchor="middle" font-size="11" fill="#fff" font-weight="bold">${p[4] < 0 ? '?' : p[4]}</text>`;
    out += `<text x="${px(p[1])}" y="${py(p[2]) - r - 3}" text-anchor="middle" font-size="9" fill="#90a4ae">#${p[0]}${p[5] < 0 ? '' : ` +${p[5]}`}</text>`;
  }
  for (const f of v.fleets) {
    const a = byId.get(f[1])!;
    const b = byId.get(f[2])!;
    const x = px(a[1]) + (px(b[1]) - px(a[1])) * f[4];
    const y = py(a[2]) + (py(b[2]) - py(a[2])) * f[4];
    const angle = (Math.atan2(py(b[2]) - py(a[2]), px(b[1]) - px(a[1])) * 180) / Math.PI;
    out += `<g class="fleet" data-owner="${f[0]}" transform="translate(${x.toFixed(1)},${y.toFixed(1)})"><title>P${f[0]}: ${f[3]} ships ${f[1]} → ${f[2]}, arrives ${f[5]}</title>`;
    out += `<polygon points="7,0 -5,-5 -5,5" fill="${color(f[0])}" stroke="#fff" stroke-width="0.5" transform="rotate(${angle.toFixed(0)})"/>`;
    out += `<text y="-7" text-anchor="middle" font-size="9" fill="#fff">${f[3]}→${f[5]}</text></g>`;
  }
  const note = info.seat >= 0 ? `seen by seat ${info.seat} (P${info.seat + 1})` : 'full state';
  out += `<text x="${w - M}" y="20" fill="#fff" font-size="12" text-anchor="end">${note}</text></svg>`;
  root.innerHTML = out;
}

export const galaxViewer: GameViewer<GalaxState, GalaxObservation, GalaxView> = {
  game: 'galax',
  scoreName: 'ships (planets and fleets)',
  full: (s) => ({
    width: s.config.width,
    height: s.config.height,
    year: formatYear(s.year),
    planets: planetsOf(s.planets),
    fleets: fleetsOf(s.planets, s.year, s.fleets),
    battles: battlesOf(s.reports),
  }),
  seat: (o, seat, s) => ({
    width: o.width,
    height: o.height,
    year: formatYear(o.year),
    planets: planetsOf(o.planets),
    // Positions need the map, which is public; the fleets are only the viewer's own.
    fleets: fleetsOf(
      s.planets,
      o.year,
      o.fleets.map((f) => ({ ...f, owner: seat + 1 })),
    ),
    battles: battlesOf(o.events),
  }),
  seatEvents: (events, seat, before) => visibleEvents(events as GalaxEvent[], seat, before.config.visibility),
  scores: (s) => shipsPerPlayer(s.players, s.planets, s.fleets),
  label: (s) => `year ${formatYear(s.year)}`,
  renderer: renderGalax.toString(),
};
