import { describe, expect, it } from 'vitest';
import { runbookBlocks, trackScript, tracksOf } from './runbook-blocks.js';

const PAGE = [
  '# Runbook', // 1
  '```yaml file=dir/a.yaml', // 2
  'kind: Flag', // 3
  '```', // 4
  '```sh', // 5
  'echo shared', // 6
  '```', // 7
  '```sh cli', // 8
  'pitboss rollout abort x', // 9
  '```', // 10
  '```sh curl', // 11
  'curl -X POST x', // 12
  '```', // 13
  '```text', // 14
  'shown output', // 15
  '```', // 16
  '```yaml', // 17
  'an: example', // 18
  '```', // 19
].join('\n');

describe('runbookBlocks', () => {
  it('keeps shell steps with their track and file blocks, and skips shown output and examples', () => {
    expect(runbookBlocks(PAGE)).toEqual([
      { kind: 'file', path: 'dir/a.yaml', content: 'kind: Flag\n', line: 2 },
      { kind: 'sh', code: 'echo shared\n', line: 5 },
      { kind: 'sh', code: 'pitboss rollout abort x\n', track: 'cli', line: 8 },
      { kind: 'sh', code: 'curl -X POST x\n', track: 'curl', line: 11 },
    ]);
  });

  it('runs untagged steps in every track and tagged ones in their own', () => {
    const blocks = runbookBlocks(PAGE);
    expect(tracksOf(blocks)).toEqual(['cli', 'curl']);
    expect(tracksOf(runbookBlocks('```sh\nls\n```\n'))).toEqual(['main']);
    const cli = trackScript(blocks, 'cli');
    expect(cli).toContain('echo shared');
    expect(cli).toContain('pitboss rollout abort x');
    expect(cli).not.toContain('curl -X POST x');
    expect(cli.startsWith('set -euo pipefail\n')).toBe(true);
  });
});
