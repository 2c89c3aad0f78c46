// A lock file beside the flag file, so that compaction (read, rewrite, rename) never runs while another
// process appends: an append to the old file after the compactor read it would vanish with the rename. Long
// tasks (a scoring job) hold one for hours, touching it so that it never looks stale while they live.
// Node has no flock(); an exclusively created file works on every local file system and most network ones.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { link, open, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** A lock older than this is taken to belong to a process that died or hung. */
export const LOCK_STALE_MS = 30_000;
/** A lock file without its owner record yet: its creator writes the record right after creating it. */
const EMPTY_LOCK_STALE_MS = 2_000;

export interface LockOptions {
  staleMs?: number;
  /** Give up waiting after this long (default: twice the stale age). */
  timeoutMs?: number;
}

/** Who holds a lock, as recorded in the lock file. */
export interface LockOwner {
  pid: number;
  host: string;
  time: string;
  nonce: string;
}

export class LockTimeoutError extends Error {}

/** The lock a long task wanted is held by a live process: `owner` says which, when it recorded itself. */
export class LockHeldError extends Error {
  constructor(
    readonly lockPath: string,
    readonly owner: Partial<LockOwner> | undefined,
  ) {
    super(`${lockPath} is held by ${owner?.pid !== undefined ? `process ${owner.pid} on ${owner.host ?? 'an unknown host'} since ${owner.time ?? '?'}` : 'another process'}`);
  }
}

/**
 * Takes lockPath for a long task, at once or not at all (LockHeldError while a live process holds it; a lock
 * left by a dead process is taken over), and keeps it fresh by touching it every staleMs / 3 until released.
 */
export async function holdLock(lockPath: string, staleMs = LOCK_STALE_MS): Promise<() => Promise<void>> {
  let release: () => Promise<void>;
  try {
    release = await acquireLock(lockPath, { staleMs, timeoutMs: 0 });
  } catch (err) {
    if (!(err instanceof LockTimeoutError)) throw err;
    throw new LockHeldError(lockPath, parseOwner(await readFile(lockPath, 'utf8').catch(() => '')));
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    void utimes(lockPath, now, now).catch(() => undefined);
  }, staleMs / 3);
  heartbeat.unref();
  return async () => {
    clearInterval(heartbeat);
    await release();
  };
}

/** Runs fn while holding lockPath; waits for another holder, and breaks a stale lock. */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const release = await acquireLock(lockPath, options);
  try {
    return await fn();
  } finally {
    await release();
  }
}

export async function acquireLock(lockPath: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  const staleMs = options.staleMs ?? LOCK_STALE_MS;
  const deadline = Date.now() + (options.timeoutMs ?? 2 * staleMs);
  const owner: LockOwner = { pid: process.pid, host: hostname(), time: new Date().toISOString(), nonce: randomBytes(8).toString('hex') };
  const record = JSON.stringify(owner);
  for (let attempt = 0; ; attempt++) {
    if (await tryCreate(lockPath, record)) return () => releaseLock(lockPath, record);
    if (await breakIfStale(lockPath, staleMs)) continue;
    if (Date.now() > deadline) {
      const holder = await readFile(lockPath, 'utf8').catch(() => '');
      throw new LockTimeoutError(`${lockPath}: still locked after waiting (${holder || 'no owner recorded'}); delete the file if no PreMem is running`);
    }
    // Short, jittered polls: appends hold the lock for about one fsync.
    await sleep(Math.min(5 + attempt * 2, 50) + Math.random() * 10);
  }
}

async function tryCreate(lockPath: string, record: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(lockPath, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await fh.writeFile(record);
  } finally {
    await fh.close();
  }
  return true;
}

async function releaseLock(lockPath: string, record: string): Promise<void> {
  // Only our own lock: if it was broken as stale and someone else holds it now, it is theirs.
  const current = await readFile(lockPath, 'utf8').catch(() => undefined);
  if (current === record) await rm(lockPath, { force: true });
}

/** True when the lock was gone or has been removed as stale, so creating it is worth another try. */
async function breakIfStale(lockPath: string, staleMs: number): Promise<boolean> {
  let content: string;
  let ageMs: number;
  try {
    [content, ageMs] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath).then((s) => Date.now() - s.mtimeMs)]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
  if (!isStale(content, ageMs, staleMs)) return false;
  // Move it aside and check it is still the lock judged stale: another process may have broken it and taken a
  // fresh one in between, which must then be put back rather than deleted.
  const aside = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await rename(lockPath, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
  const moved = await readFile(aside, 'utf8').catch(() => content);
  if (moved !== content) await link(aside, lockPath).catch(() => undefined);
  await rm(aside, { force: true });
  return true;
}

function isStale(content: string, ageMs: number, staleMs: number): boolean {
  if (ageMs > staleMs) return true;
  const owner = parseOwner(content);
  if (!owner) return ageMs > EMPTY_LOCK_STALE_MS;
  if (typeof owner.pid !== 'number' || owner.host !== hostname()) return false;
  return !isAlive(owner.pid);
}

/** The owner record of a lock file; undefined while its creator has not written it yet (or it is damaged). */
function parseOwner(content: string): Partial<LockOwner> | undefined {
  try {
    const value: unknown = JSON.parse(content);
    return typeof value === 'object' && value !== null ? (value as Partial<LockOwner>) : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
