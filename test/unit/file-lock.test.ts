import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { holdLock, LockHeldError } from '../../src/core/file-lock';
import { tempDir } from '../support/temp-dir';

test('holdLock: refused while held (saying by whom), kept fresh past the stale age, free again once released', async () => {
  const lock = path.join(await tempDir('premem-lock-'), 'job.lock');
  const staleMs = 300;
  const release = await holdLock(lock, staleMs);
  const touched = (await stat(lock)).mtimeMs;
  await sleep(staleMs * 2);
  assert.ok((await stat(lock)).mtimeMs > touched, 'the holder touches its lock');
  const refused = await holdLock(lock, staleMs).then(
    () => undefined,
    (err: unknown) => err,
  );
  assert.ok(refused instanceof LockHeldError, String(refused));
  assert.deepEqual([refused.owner?.pid, refused.owner?.host], [process.pid, hostname()]);
  assert.match(refused.message, new RegExp(`held by process ${process.pid} on `));
  await release();
  assert.equal(existsSync(lock), false);
  await (await holdLock(lock, staleMs))();
});

test('holdLock takes over a lock left by a process that died, and one whose holder stopped touching it', async () => {
  const dir = await tempDir('premem-lock-');
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(dead.stdout);
  const lock = path.join(dir, 'dead.lock');
  await writeFile(lock, JSON.stringify({ pid: deadPid, host: hostname(), time: new Date().toISOString(), nonce: 'x' }));
  await (await holdLock(lock))();

  // Another machine's lock (its process cannot be checked) counts as left behind once it is older than the stale age.
  const remote = path.join(dir, 'remote.lock');
  await writeFile(remote, JSON.stringify({ pid: 1, host: 'elsewhere', time: new Date().toISOString(), nonce: 'y' }));
  await assert.rejects(holdLock(remote, 200), LockHeldError);
  await sleep(300);
  await (await holdLock(remote, 200))();
});
