/**
 * The executable parts of a runbook (docs/runbooks/*.md), so a test can run exactly what the page says:
 *
 * - a ```` ```sh ```` block is a shell step; ```` ```sh <track> ```` belongs to one track only (`cli` or `curl`,
 *   `watch` or `fast`: alternatives that cannot both run against the same state), an untagged one to every track;
 * - a ```` ```yaml file=<path> ```` block is a file the steps use, written before they run;
 * - every other block (```` ```text ````, plain ```` ```yaml ````) is shown output or an example, not run.
 *
 * GitHub renders the first word of the info string as the language and ignores the rest.
 */
export interface RunbookStep {
  readonly kind: 'sh';
  readonly code: string;
  /** The track it belongs to; undefined: every track. */
  readonly track?: string;
  /** 1-based line of the opening fence, for failure messages. */
  readonly line: number;
}

export interface RunbookFile {
  readonly kind: 'file';
  readonly path: string;
  readonly content: string;
  readonly line: number;
}

export type RunbookBlock = RunbookStep | RunbookFile;

const FENCE = /^```(\S*)(.*)$/;

export function runbookBlocks(markdown: string): RunbookBlock[] {
  const lines = markdown.split('\n');
  const blocks: RunbookBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
    const [lang, info] = [open[1]!, open[2]!.trim()];
    const content = `${body.join('\n')}\n`;
    if (lang === 'sh') {
      blocks.push({ kind: 'sh', code: content, line: start + 1, ...(info ? { track: info } : {}) });
    } else {
      const file = /^file=(\S+)$/.exec(info)?.[1];
      if (file) blocks.push({ kind: 'file', path: file, content, line: start + 1 });
    }
  }
  return blocks;
}

/** The tracks a runbook has: its tagged blocks' tracks, or one track (`main`) when none is tagged. */
export function tracksOf(blocks: readonly RunbookBlock[]): string[] {
  const tracks = [...new Set(blocks.flatMap((b) => (b.kind === 'sh' && b.track ? [b.track] : [])))];
  return tracks.length > 0 ? tracks : ['main'];
}

/**
 * One track as a single shell script, as a person would type it in one terminal (variables set by one step are
 * there for the next): files first, then the steps in page order, each announced on stderr so a failure names
 * the block's line.
 */
export function trackScript(blocks: readonly RunbookBlock[], track: string): string {
  const parts = ['set -euo pipefail'];
  for (const b of blocks) {
    if (b.kind !== 'sh' || (b.track !== undefined && b.track !== track)) continue;
    parts.push(`echo '--- block at line ${b.line}' >&2`, b.code);
  }
  return `${parts.join('\n')}\n`;
}
