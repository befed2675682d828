import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** Batches of this size keep syscalls few without holding much output in memory. */
const FLUSH_BYTES = 64 * 1024;

/** Writes `text` to stdout and waits until the stream accepts more (backpressure), so large output is not buffered. */
export async function writeOut(text: string, out: Writable = process.stdout): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/**
 * Collects output lines into large strings and writes them in ~64 KiB batches: one `write` per line costs a
 * syscall and a stream callback each, which dominates when a million contexts are evaluated.
 */
export class BatchWriter {
  private pending = '';

  constructor(private readonly out: Writable = process.stdout) {}

  /** Appends a line (without its newline). Call `maybeFlush` regularly, `flush` at the end. */
  line(text: string): void {
    this.pending += `${text}\n`;
  }

  /** Whether enough output has collected to be worth writing. */
  get full(): boolean {
    return this.pending.length >= FLUSH_BYTES;
  }

  /** Writes what has collected; resolves when the stream can take more. */
  async flush(): Promise<void> {
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    await writeOut(text, this.out);
  }
}
