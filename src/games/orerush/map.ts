import type { Rng } from '../../core/rng.ts';
import { ORE_KINDS, type OreRushConfig } from './types.ts';

/** Ore kind of a vein centred in column x: the five kinds in five bands of columns, one kind poorer at random. */
export function veinKind(x: number, width: number, rng: Rng): number {
  const band = Math.min(ORE_KINDS.length - 1, Math.floor(((x - 1) * ORE_KINDS.length) / Math.max(1, width - 1)));
  return Math.max(0, band - rng.int(0, 1));
}

const STEPS = [
  [1, 0],
  [-1, 0],
  [0, 1],
  [0, -1],
] as const;

/**
 * Seeded veins: `veins` times a centre cell outside the headquarters column, a kind by its column (richer to
 * the right), and a vein of veinSizeMin..veinSizeMax cells grown by random steps from cells already in it.
 * Every vein cell holds oreMin..oreMax units. A cell belongs to the first vein that reaches it.
 */
export function generateOre(config: OreRushConfig, rng: Rng): { ore: number[]; kinds: number[] } {
  const { width, height } = config;
  const ore = new Array<number>(width * height).fill(0);
  const kinds = new Array<number>(width * height).fill(-1);
  for (let v = 0; v < config.veins; v++) {
    const cx = rng.int(1, width - 1);
    const cy = rng.int(0, height - 1);
    const kind = veinKind(cx, width, rng);
    const size = rng.int(config.veinSizeMin, config.veinSizeMax);
    const cells: number[] = [];
    const claim = (x: number, y: number) => {
      const i = y * width + x;
      if (kinds[i] !== -1) return;
      kinds[i] = kind;
      ore[i] = rng.int(config.oreMin, config.oreMax);
      cells.push(i);
    };
    claim(cx, cy);
    // Bounded: a vein boxed in by other veins or the border stops growing instead of looping.
    for (let attempt = 0; cells.length > 0 && cells.length < size && attempt < size * 8; attempt++) {
      const from = cells[rng.int(0, cells.length - 1)]!;
      const [dx, dy] = STEPS[rng.int(0, 3)]!;
      const x = (from % width) + dx;
      const y = Math.floor(from / width) + dy;
      if (x >= 1 && x < width && y >= 0 && y < height) claim(x, y);
    }
  }
  return { ore, kinds };
}

/** Start row of robot `id` of `count`: spread evenly down the headquarters column. */
export function startRow(id: number, count: number, height: number): number {
  return Math.min(height - 1, Math.floor(((2 * id + 1) * height) / (2 * count)));
}
