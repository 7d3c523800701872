/**
 * The progress writer: a worker thread that keeps a run's summary.json and timeseries.csv current every second
 * (`--out`). It merges the same per-second intervals as the main thread's recorder into a recorder of its own and
 * builds the summary from that; the CSV rows are the main thread's own points. The thread reading the bots'
 * replies only hands over what its second's tick copied anyway (the histograms' used buckets) and
 * never blocks on a summary, JSON or a file. The main thread writes the final files itself once the run is over.
 */
import { readlinkSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { LoadRecorder } from './metrics.ts';
import type { FromProgress, ProgressInit, ToProgress } from './progress-protocol.ts';
import { buildSummary, TimeseriesFile, writeAtomicAsync } from './summary.ts';
import { evaluateThresholds } from './thresholds.ts';

const port = parentPort;
if (!port) throw new Error('progress-writer.ts runs as a worker thread of the load generator');
const post = (message: FromProgress) => port.postMessage(message);

/**
 * This thread at the lowest CPU priority. On Linux a thread has a nice value of its own, set through its thread
 * id (/proc/thread-self): with the cores busy with the bots and the server, the writer's second of work (a
 * summary, its JSON, two files) then waits for an idle moment instead of preempting the thread that reads the
 * replies as soon as that thread wakes it, which delayed every reply behind it. The files can only fall behind
 * (a second closed during a write is written after it); the final ones are the main thread's.
 */
function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, constants.priority.PRIORITY_LOW);
  } catch {
    // Not Linux (no /proc/thread-self), or not permitted: the writer runs at the process's priority.
  }
}
lowerPriority();

let init: ProgressInit;
let recorder: LoadRecorder;
let startedAt: Date;
let timeseries: TimeseriesFile;
const begin = (i: ProgressInit) => {
  init = i;
  recorder = new LoadRecorder({
    ...init.recorder,
    // This thread reads no replies: its own lag is no generator delay.
    monitorLag: false,
    startedAt: init.startedAtEpochMs - performance.timeOrigin,
  });
  startedAt = new Date(init.startedAt);
  timeseries = new TimeseriesFile(init.timeseriesPath);
};
let writing: Promise<void> | undefined;
let pendingClose = false;

/** The embedded server's counters as of the latest second. */
let server: Readonly<Record<string, number>> | undefined;
/** A second closed while a write was going: written once that one is done, so the files catch up. */
let behind = false;

const write = () => {
  if (writing) {
    behind = true;
    return;
  }
  behind = false;
  const thresholds = evaluateThresholds(init.thresholds, recorder.lookup());
  const summary = buildSummary(
    recorder,
    init.run,
    startedAt,
    'running',
    thresholds,
    server ? { server: { ...server } } : {},
  );
  const text = `${JSON.stringify(summary, null, 2)}\n`;
  writing = Promise.all([writeAtomicAsync(init.summaryPath, text), timeseries.update(recorder.points)])
    .then(
      () => {},
      (error: unknown) => post({ type: 'error', message: `cannot write the summary: ${(error as Error).message}` }),
    )
    .finally(() => {
      writing = undefined;
      if (pendingClose) post({ type: 'closed' });
      else if (behind) write();
    });
};

port.on('message', (m: ToProgress) => {
  if (pendingClose) return;
  switch (m.type) {
    case 'begin':
      begin(m.init);
      break;
    case 'interval':
      recorder.absorb(m.thread, m.interval);
      break;
    case 'tick':
      if (m.server) server = m.server;
      if (m.interval) recorder.absorb(0, m.interval);
      recorder.tickAs(m.point);
      write();
      break;
    case 'close':
      pendingClose = true;
      recorder?.end();
      if (!writing) post({ type: 'closed' });
      break;
  }
});

post({ type: 'ready' });
