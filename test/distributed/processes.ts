import { type ChildProcess, spawn } from 'node:child_process';
import { BIN } from '../cli/helpers.ts';

/** A botswarm CLI process run from the sources, with its output collected and waitable. */
export interface CliProcess {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves when stderr (the log) has matched `pattern`, rejects after `timeoutMs` or at exit. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  readonly exited: Promise<number | null>;
}

/**
 * `on` wraps the command (e.g. `ip netns exec host-1 …`, from hosts.ts) to run it on another test host.
 * `fromSource`: the TypeScript sources (tests), or the compiled build as an installed botswarm runs (the bench).
 */
export function startCli(
  args: readonly string[],
  on: (command: string[]) => string[] = (c) => c,
  fromSource = true,
): CliProcess {
  const [command, ...rest] = on([process.execPath, BIN, ...args]);
  const child = spawn(command!, rest, {
    env: { ...process.env, BOTSWARM_FROM_SOURCE: fromSource ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const waiters = new Set<() => void>();
  const proc: CliProcess = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ? null : code))),
    waitFor(pattern, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = proc.stderr.match(pattern);
          if (!match) return;
          done();
          resolve(match);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} in the output of botswarm ${args.join(' ')}; stderr: ${proc.stderr}`));
        }, timeoutMs);
        const onExit = () => {
          done();
          reject(new Error(`botswarm ${args.join(' ')} exited before ${pattern}; stderr: ${proc.stderr}`));
        };
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
          child.off('exit', onExit);
        };
        waiters.add(check);
        child.once('exit', onExit);
        check();
      });
    },
  };
  child.stdout?.on('data', (data) => {
    proc.stdout += data;
  });
  child.stderr?.on('data', (data) => {
    proc.stderr += data;
    for (const check of [...waiters]) check();
  });
  return proc;
}

/** Ends a process started by a test (SIGKILL unless told otherwise) and waits for it. */
export async function stopCli(proc: CliProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill(signal);
  await proc.exited;
}
