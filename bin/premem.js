#!/usr/bin/env node
// The `premem` command: a thin launcher for the esbuild bundle (built by `npm run build`, run by `npm ci`'s prepare).
//
// It keeps V8's compiled code of the bundle between runs, in the user's cache folder: compiling the 700 KB bundle
// and its functions anew is a tenth of a short command's time. Node 22.1 and later do this themselves
// (module.enableCompileCache); before that, the bundle runs through vm.Script with the cache as cachedData.
// NODE_DISABLE_COMPILE_CACHE=1, Node's own switch, turns both off.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const nodeModule = require('node:module');

const bundle = path.join(__dirname, '..', 'dist', 'cli.js');

function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || (process.platform === 'win32' ? process.env.LOCALAPPDATA : undefined) || path.join(os.homedir(), '.cache');
  return path.join(base, 'premem', 'compile-cache');
}

/** Runs the bundle as a CommonJS module, with V8's code cache read from and written to dir. */
function runWithCodeCache(dir) {
  const vm = require('node:vm');
  const source = fs.readFileSync(bundle, 'utf8');
  // V8 checks only the source's length against the cache, so the key names this very build of the bundle.
  const { size, mtimeMs } = fs.statSync(bundle);
  const prefix = `cli-${process.version}-${process.arch}-`;
  const cacheFile = path.join(dir, `${prefix}${size}-${Math.round(mtimeMs)}.bin`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // No cache yet: this run writes it.
  }
  const script = new vm.Script(nodeModule.wrap(source), { filename: bundle, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    // Written at exit, so the cache also holds the functions this command compiled while it ran.
    process.once('exit', () => writeCache(dir, prefix, cacheFile, script));
  }
  const cli = { exports: {}, filename: bundle, id: bundle, loaded: false };
  script.runInThisContext().call(cli.exports, cli.exports, require, cli, bundle, path.dirname(bundle));
}

/** Best effort: a cache that cannot be written only costs the next run its compile time. */
function writeCache(dir, prefix, cacheFile, script) {
  try {
    fs.mkdirSync(dir, { recursive: true });
    for (const old of fs.readdirSync(dir)) if (old.startsWith(prefix)) fs.rmSync(path.join(dir, old), { force: true });
    const partial = `${cacheFile}.${process.pid}`;
    fs.writeFileSync(partial, script.createCachedData());
    fs.renameSync(partial, cacheFile); // whole or absent, when two commands finish at once
  } catch {
    // Read-only home, full disk: run without the cache.
  }
}

if (process.env.NODE_DISABLE_COMPILE_CACHE) {
  require(bundle);
} else if (nodeModule.enableCompileCache) {
  nodeModule.enableCompileCache(cacheDir());
  require(bundle);
} else {
  runWithCodeCache(cacheDir());
}
