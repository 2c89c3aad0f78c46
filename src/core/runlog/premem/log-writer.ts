// Appends records to a PreMem run log so that readers never see glued or interleaved lines:
// one write call per batch on a file opened with O_APPEND (the kernel places each write whole at the end,
// so concurrent appenders do not interleave within a line), then fdatasync before the batch counts as written.
import { type FileHandle, open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { LineScanner } from '../line-scanner';
import { type PreMemRecord, validateRecord } from './records';

export class PreMemLogWriter {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
  ) {}

  /**
   * Opens (or creates) a log for appending. When the file ends inside a line, a process died mid-write:
   * a '\n' is appended first, so that torn line stays one isolated bad line and new records start clean.
   */
  static async open(path: string): Promise<PreMemLogWriter> {
    const fh = await open(path, 'a+');
    try {
      if (await endsInsideLine(fh)) {
        await writeAll(fh, Buffer.from('\n'));
        await fh.datasync();
      }
    } catch (err) {
      await fh.close();
      throw err;
    }
    return new PreMemLogWriter(path, fh);
  }

  /**
   * Appends records as whole lines in one write, and resolves once they are on disk. Records are validated
   * first; an invalid one rejects the whole batch before anything is written.
   */
  append(records: readonly PreMemRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.path}: the run-log writer is closed`));
    const lines: string[] = [];
    for (let i = 0; i < records.length; i++) {
      const v = validateRecord(records[i]);
      if (!v.ok) return Promise.reject(new Error(`${this.path}: record ${i} of the batch is invalid: ${v.message}`));
      lines.push(JSON.stringify(records[i]));
    }
    if (lines.length === 0) return Promise.resolve();
    const bytes = Buffer.from(lines.join('\n') + '\n', 'utf8');
    const done = this.queue.then(async () => {
      await writeAll(this.fh, bytes);
      await this.fh.datasync();
    });
    this.queue = done.catch(() => undefined);
    return done;
  }

  /** Waits for pending appends, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.fh.close();
  }
}

/**
 * Whether the file ends inside a line and stays so: another process appending at this moment shows a growing
 * size with its line not finished yet, and must not be "repaired" (that would leave a blank line after its
 * write). A line torn by a dead writer stays torn, so it is checked a few times, SETTLE_MS apart.
 */
async function endsInsideLine(fh: FileHandle): Promise<boolean> {
  const last = Buffer.alloc(1);
  let size = -1;
  let seen = 0;
  // At most about a second, even next to a writer that never pauses.
  for (let look = 0; look < 50 && seen < 3; look++) {
    if (look > 0) await sleep(SETTLE_MS);
    const now = (await fh.stat()).size;
    if (now === 0) return false;
    await fh.read(last, 0, 1, now - 1);
    if (last[0] === 0x0a) return false;
    seen = now === size ? seen + 1 : 1;
    size = now;
  }
  return true;
}

const SETTLE_MS = 20;

async function writeAll(fh: FileHandle, bytes: Buffer): Promise<void> {
  // A regular file takes the whole buffer in one call; the loop only matters if the kernel
  // returns a short write (disk full is then reported by the next call).
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done);
    if (bytesWritten <= 0) throw new Error('write made no progress');
    done += bytesWritten;
  }
}

/** The key separator of readCompletedKeys: "checkpoint\u0000key". */
export const COMPLETED_KEY_SEPARATOR = '\u0000';

/**
 * The (checkpoint, example key) pairs of a run that a log already holds, as "checkpoint\u0000key", so a
 * resumed scoring job can skip them. A missing file holds none; bad lines are skipped.
 */
export async function readCompletedKeys(path: string, run: string): Promise<Set<string>> {
  const done = new Set<string>();
  const scanner = new LineScanner(path);
  await scanner.scan((buf, start, end) => {
    if (start === end) return;
    let value: unknown;
    try {
      value = JSON.parse(buf.toString('utf8', start, end).replace(/^\uFEFF/, ''));
    } catch {
      return;
    }
    const v = validateRecord(value);
    if (!v.ok || v.record.run !== run || v.record.type === 'run' || v.record.type === 'checkpoint' || v.record.type === 'scores') return;
    done.add(v.record.checkpoint + COMPLETED_KEY_SEPARATOR + v.record.key);
  });
  return done;
}
