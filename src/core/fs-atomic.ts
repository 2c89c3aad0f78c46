// Crash-safe replacement of small files (settings, flags, saved projects): readers see either the old
// content or the new, never a half-written file, even if the process or the machine dies mid-save.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Temporary files being written now, so that a process stopped by a signal can remove them first. */
const liveTemporaryFiles = new Set<string>();

/** A new hidden temporary name beside target, registered until forgetTemporaryFile. */
export function temporaryFileFor(target: string): string {
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  liveTemporaryFiles.add(temp);
  return temp;
}

export function forgetTemporaryFile(temp: string): void {
  liveTemporaryFiles.delete(temp);
}

/** Removes every temporary file still being written (synchronously: called from a signal handler before exit). */
export function removeTemporaryFilesSync(): void {
  for (const temp of liveTemporaryFiles) rmSync(temp, { force: true });
  liveTemporaryFiles.clear();
}

/** Writes data to a temporary file beside target, flushes it, renames it over target, then flushes the folder. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(target);
  const temp = temporaryFileFor(target);
  const fh = await open(temp, 'wx', 0o666).catch((err) => {
    forgetTemporaryFile(temp);
    throw err;
  });
  try {
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw err;
  } finally {
    forgetTemporaryFile(temp);
  }
  await syncDirectory(dir);
}

/** Flushes a folder's entries (a rename is durable only then). Platforms that cannot open folders skip it. */
export async function syncDirectory(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
  } catch {
    return;
  }
  try {
    await fh.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EBADF') throw err;
  } finally {
    await fh.close();
  }
}
