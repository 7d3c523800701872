// Part of `npm run build`: the data files the compiled code reads next to itself at run time, copied into
// dist/ at the same relative place as in the checkout (src/tournament/schema.ts reads
// ../../simulations/schema.json from its own location).
import { cpSync } from 'node:fs';

const root = new URL('../', import.meta.url);
for (const file of ['simulations/schema.json']) {
  cpSync(new URL(file, root), new URL(`dist/${file}`, root));
}
