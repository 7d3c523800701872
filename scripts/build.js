// `npm run build`: tsc into dist/, the data files the compiled code reads next to itself at run time (copied into
// dist/ at the same relative place as in the checkout: src/tournament/schema.ts reads
// ../../simulations/schema.json from its own location), and last dist/build.json with the time the build started.
// A checkout's worker threads and benches run dist/ only while that stamp is there and no source is newer than
// the build's start (src/core/compiled-build.ts): a build that was interrupted has no stamp (it is removed first),
// and a source saved while tsc ran is newer than the start.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const stamp = new URL('dist/build.json', root);
rmSync(stamp, { force: true });
const startedAt = Date.now();
// typescript's exports give its library only: its bin sits beside it.
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript')), '../bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
  cwd: fileURLToPath(root),
  stdio: 'inherit',
});
if (result.status !== 0) process.exit(result.status ?? 1);
for (const file of ['simulations/schema.json']) {
  cpSync(new URL(file, root), new URL(`dist/${file}`, root));
}
mkdirSync(new URL('dist/', root), { recursive: true });
writeFileSync(stamp, `${JSON.stringify({ startedAt })}\n`);
