import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/netns-hosts.sh', import.meta.url));

/**
 * Where a test's "hosts" run: network namespaces on a private bridge (scripts/netns-hosts.sh) when this
 * process may create them (root, iproute2), else plain loopback. Either way the same run: only the addresses
 * and the command prefix differ.
 */
export interface TestHosts {
  readonly mode: 'netns' | 'loopback';
  /** The address the coordinator's side (Redis) listens on and the hosts connect to. */
  readonly serverAddress: string;
  /** The address host `i` (0-based) connects from. */
  hostAddress(i: number): string;
  /** The command line that runs `command` on host `i`. */
  on(i: number, command: readonly string[]): string[];
  remove(): void;
}

export function createHosts(count: number): TestHosts {
  const name = `bs${process.pid % 10_000}`;
  const subnet = `10.231.${process.pid % 250}`;
  const allowed = process.platform === 'linux' && process.getuid?.() === 0;
  if (allowed) {
    try {
      execFileSync(SCRIPT, ['up', name, String(count), subnet], { stdio: 'pipe' });
      return {
        mode: 'netns',
        serverAddress: `${subnet}.1`,
        hostAddress: (i) => `${subnet}.${11 + i}`,
        on: (i, command) => ['ip', 'netns', 'exec', `${name}-${i + 1}`, ...command],
        remove: () => execFileSync(SCRIPT, ['down', name, String(count)], { stdio: 'pipe' }),
      };
    } catch {
      // Not allowed here after all (a container without CAP_NET_ADMIN): loopback.
    }
  }
  return {
    mode: 'loopback',
    serverAddress: '127.0.0.1',
    hostAddress: () => '127.0.0.1',
    on: (_, command) => [...command],
    remove: () => {},
  };
}
