import type { Progress } from './runner.ts';

export interface ProgressReporter {
  update(progress: Progress): void;
  /** Ends the bar's line (TTY) or prints the last count (plain). */
  finish(): void;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

/** "120/400 games  35.2 games/s  ETA 8s", the rate over the games this run played. */
export function describeProgress(p: Progress): string {
  const rate = p.elapsedMs > 0 ? (p.playedNow * 1000) / p.elapsedMs : 0;
  const eta = rate > 0 ? duration((p.total - p.done) / rate) : '?';
  return `${p.done}/${p.total} games  ${rate.toFixed(1)} games/s  ETA ${p.done >= p.total ? '0s' : eta}`;
}

/**
 * Progress on stderr (stdout stays clean for `--json` and the table): a redrawn bar on a terminal, else a
 * plain line every `intervalMs`.
 */
export function createProgressReporter(
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number } = process.stderr,
  options: { intervalMs?: number; tty?: boolean } = {},
): ProgressReporter {
  const tty = options.tty ?? stream.isTTY === true;
  const interval = options.intervalMs ?? (tty ? 100 : 5000);
  let lastDraw = performance.now();
  let last: Progress | undefined;
  let shown: Progress | undefined;
  const draw = (p: Progress) => {
    const text = describeProgress(p);
    if (tty) {
      const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - text.length - 4));
      const filled = p.total > 0 ? Math.round((p.done / p.total) * width) : width;
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\x1b[K`);
    } else {
      stream.write(`tournament: ${text}\n`);
    }
    shown = p;
  };
  return {
    update(p) {
      last = p;
      const now = performance.now();
      if (now - lastDraw >= interval || (tty && p.done === p.total)) {
        lastDraw = now;
        draw(p);
      }
    },
    finish() {
      if (last && last !== shown) draw(last);
      if (tty && shown) stream.write('\n');
    },
  };
}
