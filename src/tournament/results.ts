import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { GameRecord, TournamentDefinition } from './types.ts';

export const RESULTS_FILE = 'results.jsonl';
export const DEFINITION_FILE = 'tournament.json';
export const TOURNAMENT_FORMAT = 'botswarm-tournament/1';

/** `tournament.json`: the definition the results belong to, checked by `--resume`. */
export interface StoredTournament {
  readonly format: typeof TOURNAMENT_FORMAT;
  readonly definition: TournamentDefinition;
  readonly engine: { readonly id: string; readonly version: string };
  readonly totalGames: number;
  /** Where relative bot module paths resolve from (so that `--resume --out <dir>` alone can continue). */
  readonly baseDir: string;
  /** False when a wall-clock limit per decision was set: then a re-run may differ. */
  readonly deterministic: boolean;
  readonly createdAt: string;
}

export class ResultsError extends Error {
  override name = 'ResultsError';
}

/** Writes a file whole or not at all (a crash leaves the old file or none, never half of one). */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export function readStoredTournament(dir: string): StoredTournament | null {
  const path = join(dir, DEFINITION_FILE);
  if (!existsSync(path)) return null;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ResultsError(`${path}: cannot read: ${(error as Error).message}`);
  }
  if (!data || typeof data !== 'object' || (data as StoredTournament).format !== TOURNAMENT_FORMAT) {
    throw new ResultsError(`${path} is not a botswarm tournament file (format ${TOURNAMENT_FORMAT})`);
  }
  return data as StoredTournament;
}

export function writeStoredTournament(dir: string, stored: StoredTournament): void {
  writeFileAtomic(join(dir, DEFINITION_FILE), `${JSON.stringify(stored, null, 2)}\n`);
}

export interface LoadedResults {
  /** Finished games by index (the first line of an index wins; later duplicates are counted, not used). */
  readonly records: Map<number, GameRecord>;
  readonly duplicates: number;
  /** True when a torn last line (a process killed mid-write) was cut off the file. */
  readonly truncatedTornLine: boolean;
}

function isRecord(value: unknown): value is GameRecord {
  const r = value as GameRecord;
  return (
    typeof r === 'object' &&
    r !== null &&
    Number.isInteger(r.index) &&
    Array.isArray(r.seats) &&
    Array.isArray(r.ranks) &&
    Array.isArray(r.scores)
  );
}

/**
 * Reads `results.jsonl`. A last line without its newline, or one that does not parse, is what a kill in the
 * middle of a write leaves: it is cut off the file (so that appending goes on from a clean line end) and the
 * game it described is played again. A bad line anywhere else means the file was damaged: an error.
 */
export function loadResults(dir: string, totalGames: number): LoadedResults {
  const path = join(dir, RESULTS_FILE);
  const records = new Map<number, GameRecord>();
  if (!existsSync(path)) return { records, duplicates: 0, truncatedTornLine: false };
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  let truncatedTornLine = false;
  let duplicates = 0;
  let goodBytes = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const isLast = i === lines.length - 1;
    if (isLast && line === '') break;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    // The final element after split has no newline behind it: it is torn even if it parses.
    if (isLast) {
      truncatedTornLine = true;
      break;
    }
    if (!isRecord(parsed)) throw new ResultsError(`${path}: line ${i + 1} is not a game record`);
    const record = parsed as GameRecord;
    if (record.index < 0 || record.index >= totalGames) {
      throw new ResultsError(`${path}: line ${i + 1}: game index ${record.index} is outside 0..${totalGames - 1}`);
    }
    if (records.has(record.index)) duplicates++;
    else records.set(record.index, record);
    goodBytes += Buffer.byteLength(line, 'utf8') + 1;
  }
  if (truncatedTornLine) truncateSync(path, goodBytes);
  return { records, duplicates, truncatedTornLine };
}

/**
 * Append-only writer. The games of one finished batch go out in one `write` of whole lines, so they are on
 * disk (in the page cache, safe from a killed process) as soon as it returns; a kill can tear only the last
 * line, which `loadResults` cuts off.
 */
export class ResultsWriter {
  readonly #fd: number;
  constructor(readonly path: string) {
    this.#fd = openSync(path, 'a');
  }
  append(records: readonly GameRecord[]): void {
    let text = '';
    for (const record of records) text += `${JSON.stringify(record)}\n`;
    this.appendLines(text);
  }
  /** Whole lines, each ending in a newline (as a worker encodes them). */
  appendLines(text: string): void {
    if (text.length === 0) return;
    const bytes = Buffer.from(text, 'utf8');
    let written = 0;
    while (written < bytes.length) written += writeSync(this.#fd, bytes, written, bytes.length - written);
  }
  close(): void {
    try {
      fsyncSync(this.#fd);
    } finally {
      closeSync(this.#fd);
    }
  }
}

export function resultsPath(dir: string): string {
  return join(dir, RESULTS_FILE);
}

export function hasResults(dir: string): boolean {
  const path = join(dir, RESULTS_FILE);
  return existsSync(path) && statSync(path).size > 0;
}
