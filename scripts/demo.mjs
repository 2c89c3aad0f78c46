// `npm run demo`: opens the demo workspace (demo/) in real VS Code with this build of the extension;
// `npm run demo -- tiny` opens demo/tiny/ instead (the tiny model trained on CPU, with its own samples).
// With `code` on PATH: an Extension Development Host on demo/. Without it: code-server (VS Code's own server and
// workbench, set up by scripts/setup-e2e.sh) in the foreground, with the extension installed from the build;
// open the printed URL in a browser. Ctrl-C stops it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEMO = process.argv[2] === 'tiny' ? join(ROOT, 'demo/tiny') : join(ROOT, 'demo');
const STATE = join(ROOT, '.tools/demo');

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

// The harness needs playwright-core, a dev dependency; `code` above does without it.
const { CODE_SERVER_ENTRY, copyExtension, freePort, startCodeServer } = await import('../test/e2e/harness.mjs');
if (!existsSync(CODE_SERVER_ENTRY)) {
  console.log('demo: `code` is not on PATH; setting up code-server (scripts/setup-e2e.sh) …');
  const setup = spawnSync('bash', [join(ROOT, 'scripts/setup-e2e.sh')], { stdio: 'inherit' });
  if (setup.status !== 0) fail('scripts/setup-e2e.sh failed');
}

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
const child = startCodeServer({
  port, workspace: DEMO, userDataDir, extensionsDir, configFile: join(STATE, 'code-server.yaml'), stdio: ['ignore', 'inherit', 'inherit'],
});
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
