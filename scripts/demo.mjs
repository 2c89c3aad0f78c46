// `npm run demo`: opens the demo workspace (demo/) in real VS Code with this build of the extension;
// `npm run demo -- tiny` opens demo/tiny/ instead (the tiny model trained on CPU, with its own samples).
// With `code` on PATH: an Extension Development Host on demo/. Without it: code-server (VS Code's own server and
// workbench, set up by scripts/setup-e2e.sh) in the foreground, with the extension installed from the build;
// open the printed URL in a browser. Ctrl-C stops it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEMO = process.argv[2] === 'tiny' ? join(ROOT, 'demo/tiny') : join(ROOT, 'demo');
const STATE = join(ROOT, '.tools/demo');
const CODE_SERVER = join(ROOT, '.tools/code-server/node_modules/code-server/out/node/entry.js');
// code-server asks an extension gallery on the internet at start; a closed loopback port keeps it local.
const LOOPBACK_GALLERY = JSON.stringify({
  serviceUrl: 'http://127.0.0.1:9/gallery',
  itemUrl: 'http://127.0.0.1:9/item',
  resourceUrlTemplate: 'http://127.0.0.1:9/r',
});

const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

function fail(message) {
  console.error(`demo: ${message}`);
  process.exit(1);
}

if (!existsSync(join(ROOT, 'dist/extension.js'))) fail('dist/extension.js is missing: run `npm run build` first (npm run demo does)');
if (!existsSync(join(DEMO, 'premem.json'))) fail(`${DEMO}/premem.json is missing: rebuild it with scripts/make-demo.ts (demo/) or scripts/make-demo-tiny.sh (demo/tiny/)`);

if (onPath('code') && !process.env.PREMEM_DEMO_CODE_SERVER) {
  console.log('demo: opening demo/ in VS Code with this extension under development');
  const result = spawnSync('code', ['--new-window', `--extensionDevelopmentPath=${ROOT}`, DEMO], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

if (!existsSync(CODE_SERVER)) {
  console.log('demo: `code` is not on PATH; setting up code-server (scripts/setup-e2e.sh) …');
  const setup = spawnSync('bash', [join(ROOT, 'scripts/setup-e2e.sh')], { stdio: 'inherit' });
  if (setup.status !== 0) fail('scripts/setup-e2e.sh failed');
}

const { copyExtension } = await import('../test/e2e/harness.mjs');
const extensionsDir = join(STATE, 'extensions');
const userDataDir = join(STATE, 'user-data');
// A fresh copy of this build each time; the user's state (open editors, settings) stays between runs.
await rm(extensionsDir, { recursive: true, force: true });
await mkdir(extensionsDir, { recursive: true });
await mkdir(join(userDataDir, 'User'), { recursive: true });
await copyExtension(ROOT, extensionsDir);
const settings = join(userDataDir, 'User/settings.json');
if (!existsSync(settings)) {
  await writeFile(settings, JSON.stringify({ 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'update.mode': 'none' }, null, 2));
}

const port = Number(process.env.PREMEM_DEMO_PORT) || (await freePort(8080));
const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(DEMO)}`;
const child = spawn(
  process.execPath,
  [
    CODE_SERVER,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--config', join(STATE, 'code-server.yaml'),
    '--extensions-dir', extensionsDir,
    '--user-data-dir', userDataDir,
    DEMO,
  ],
  { stdio: ['ignore', 'inherit', 'inherit'], detached: true, env: { ...process.env, EXTENSIONS_GALLERY: LOOPBACK_GALLERY } },
);
console.log(`\ndemo: VS Code (code-server) is starting; open ${url}\ndemo: Ctrl-C stops it.\n`);
if (onPath('xdg-open')) {
  setTimeout(() => spawn('xdg-open', [url], { stdio: 'ignore', detached: true }).on('error', () => {}).unref(), 2000);
}
const stop = () => {
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
child.on('exit', (code, signal) => process.exit(signal ? 0 : (code ?? 0)));

/** `preferred` when it is free, else any free port. */
function freePort(preferred) {
  const tryPort = (p) =>
    new Promise((resolvePort, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(p, '127.0.0.1', () => {
        const { port: chosen } = srv.address();
        srv.close(() => resolvePort(chosen));
      });
    });
  return tryPort(preferred).catch(() => tryPort(0));
}
