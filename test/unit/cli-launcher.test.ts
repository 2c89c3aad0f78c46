// bin/premem.js keeps V8's compiled code of the CLI bundle in the user's cache folder. Whatever state that folder
// is in (absent, written, garbage, not writable), the command's output and exit code are those of the bundle alone.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { buildCliBundle } from '../support/cli-bundle';
import { fixtures } from '../support/shared';
import { tempDir } from '../support/temp-dir';

const runLog = path.join(fixtures, 'runlogs', 'small.premem.jsonl');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => path.join(dir, f)).filter((f) => statSync(f).isFile());
}

describe('the premem launcher and its compile cache', () => {
  let launcher = '';
  before(async () => {
    launcher = (await buildCliBundle('analyze')).launcher;
  });

  function premem(cacheHome: string, args: string[], disable = false) {
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: cacheHome };
    delete env.NODE_DISABLE_COMPILE_CACHE;
    if (disable) env.NODE_DISABLE_COMPILE_CACHE = '1';
    const r = spawnSync(process.execPath, [launcher, ...args], { encoding: 'utf8', env });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  const analyze = ['analyze', '--runs', runLog, '--json'];

  test('the first run writes the cache, later runs give the same output as the bundle without it', async () => {
    const home = await tempDir('premem-launcher-');
    const uncached = premem(home, analyze, true);
    assert.equal(uncached.code, 0, uncached.stderr);
    assert.deepEqual(filesUnder(home), [], 'NODE_DISABLE_COMPILE_CACHE writes nothing');
    const first = premem(home, analyze);
    assert.deepEqual(first, uncached);
    const written = filesUnder(path.join(home, 'premem', 'compile-cache'));
    assert.ok(written.length > 0, 'a cache file is written');
    assert.deepEqual(premem(home, analyze), uncached);
  });

  test('a cache file of garbage is refused by V8 and the command runs as without it', async () => {
    const home = await tempDir('premem-launcher-');
    const uncached = premem(home, analyze, true);
    premem(home, analyze);
    for (const f of filesUnder(path.join(home, 'premem', 'compile-cache'))) writeFileSync(f, Buffer.alloc(4096, 0x5a));
    assert.deepEqual(premem(home, analyze), uncached);
    assert.deepEqual(premem(home, analyze), uncached);
  });

  test('a cache folder that cannot be made leaves the command as it is', async () => {
    const home = await tempDir('premem-launcher-');
    const notAFolder = path.join(home, 'file');
    writeFileSync(notAFolder, 'x');
    const uncached = premem(home, analyze, true);
    assert.deepEqual(premem(notAFolder, analyze), uncached);
  });

  test('exit codes and the one-line message pass through', async () => {
    const home = await tempDir('premem-launcher-');
    const missing = premem(home, ['analyze', '--runs', path.join(home, 'no-such-folder')]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /^premem analyze: .*no-such-folder: no such file or folder\n$/);
    assert.equal(premem(home, ['analyze', '--no-such-option']).code, 2);
  });
});
