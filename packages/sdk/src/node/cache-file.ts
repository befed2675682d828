import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import type { Snapshot } from './snapshot.js';

/**
 * The last good snapshot on disk, so a process can start while the control plane is down. Writes go to a
 * temporary file in the same directory and are renamed over the target: rename(2) is atomic within a file
 * system, so a reader (another process starting) sees the old file or the new one, never half of one.
 * Writes are serialised and coalesced: only the newest pending snapshot is written.
 *
 * @example
 * const cache = new CacheFile('/var/cache/pitboss/prod.json', logger);
 * cache.read();                    // the text of the last snapshot, or undefined
 * cache.write(snapshot);           // in the background
 * await cache.idle();
 */
export class CacheFile {
  private pending: Snapshot | undefined;
  private writing: Promise<void> | undefined;

  constructor(
    readonly path: string,
    private readonly warn: (msg: string, err?: unknown) => void,
  ) {}

  /** Synchronous on purpose: it runs once in `createClient`, so the first evaluation already has the config. */
  read(): string | undefined {
    try {
      return readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.warn(`cannot read cache file ${this.path}`, err);
      return undefined;
    }
  }

  write(snapshot: Snapshot): void {
    this.pending = snapshot;
    this.writing ??= this.drain();
  }

  /** Resolves when every requested write has finished. */
  async idle(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending) {
        const snapshot = this.pending;
        this.pending = undefined;
        const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
        try {
          await writeFile(tmp, JSON.stringify(snapshot), { mode: 0o600 });
          await rename(tmp, this.path);
        } catch (err) {
          this.warn(`cannot write cache file ${this.path}`, err);
          await unlink(tmp).catch(() => {});
        }
      }
    } finally {
      this.writing = undefined;
    }
  }
}
