import { describe, expect, it } from 'vitest';
import { startCli } from './processes.ts';

/** The CLI from the sources (this branch's commands). */
async function botswarm(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const proc = startCli(args);
  const code = await proc.exited;
  return { code, stderr: proc.stderr };
}

describe('loadtest --agents and botswarm agent: usage errors', () => {
  it('refuse what cannot work, in one line, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--agents', 'redis://127.0.0.1:1'], /^botswarm: --agents needs --agent-count <n>/],
      [
        ['--agents', 'http://x', '--agent-count', '2'],
        /^botswarm: --agents: the queue must be a redis:\/\/ or rediss:\/\/ URL/,
      ],
      [['--agents', 'redis://127.0.0.1:1', '--agent-count', '2', '--embedded'], /--embedded listens on this host only/],
      [['--agents', 'redis://127.0.0.1:1', '--agent-count', '2', '--threads', '2'], /each agent sets its threads/],
      [
        ['--agents', 'redis://127.0.0.1:1', '--agent-count', '2', '--agent-loss', 'maybe'],
        /--agent-loss must be fail or continue/,
      ],
      [
        ['--agents', 'redis://127.0.0.1:1', '--agent-count', '2', '--agent-wait', 'soon'],
        /^botswarm: --agent-wait: not a duration/,
      ],
    ];
    // In parallel: each start of the CLI from the sources takes seconds on a loaded machine.
    const runs = await Promise.all(
      cases.map(([flags]) => {
        const target = flags.includes('--embedded') ? [] : ['--target', '127.0.0.1:1'];
        return botswarm(['loadtest', '--protocol', 'chat', ...target, ...flags]);
      }),
    );
    for (const [i, run] of runs.entries()) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(cases[i]![1]);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
    const agent = await botswarm(['agent', '--queue', 'nope']);
    expect(agent.code).toBe(2);
    expect(agent.stderr).toMatch(/^botswarm: the queue must be a Redis URL/);
  }, 300_000);

  it('says at once when Redis cannot be reached', async () => {
    const run = await botswarm(['agent', '--queue', 'redis://127.0.0.1:1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^botswarm: cannot use Redis at redis:\/\/127\.0\.0\.1:1/);
  }, 60_000);
});
