// Drives real VS Code (code-server, VS Code's own server and workbench) in real Chromium through
// playwright-core. scripts/setup-e2e.sh installs both; see test/e2e/README.md.
import { spawn } from 'node:child_process';
import { cp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const TMP_ROOT = join(REPO_ROOT, 'test/e2e/.tmp');
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test/e2e/screenshots');
/** The committed demo workspace: GSM8K with the paper's 13 runs (scripts/make-demo.ts). */
export const DEMO_DIR = join(REPO_ROOT, 'demo');
export const CODE_SERVER_ENTRY = join(REPO_ROOT, '.tools/code-server/node_modules/code-server/out/node/entry.js');
const CHROMIUM = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

// code-server asks an extension gallery on the internet at start; a closed loopback port keeps it local.
const LOOPBACK_GALLERY = JSON.stringify({
  serviceUrl: 'http://127.0.0.1:9/gallery',
  itemUrl: 'http://127.0.0.1:9/item',
  resourceUrlTemplate: 'http://127.0.0.1:9/r',
});

// Settings that keep the workbench quiet and predictable; tests that exercise one of them override it.
const BASE_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.enabled': false,
  'window.restoreWindows': 'none',
};

const DEFAULT_TIMEOUT = 30_000;

/**
 * A fresh folder under test/e2e/.tmp (git-ignored), named after `label`. Removed when the process exits,
 * unless a session failed in this process or PREMEM_E2E_KEEP is set (then it stays for debugging).
 */
export async function tempDir(label) {
  const safe = String(label).replace(/[^\w.-]+/g, '-');
  const dir = join(TMP_ROOT, `${safe}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`);
  await mkdir(dir, { recursive: true });
  installExitCleanup();
  tempDirs.add(dir);
  return dir;
}

/** Writes `files` ({ 'relative/path': 'text' }) into a fresh temporary workspace folder; returns its path. */
export async function makeWorkspace(files = {}, label = 'workspace') {
  const dir = await tempDir(label);
  for (const [path, text] of Object.entries(files)) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
  }
  return dir;
}

/** A fresh copy of the demo workspace (tests edit it, flag in it and append to its logs). */
export async function demoWorkspace(label) {
  const dir = await tempDir(label);
  await cp(DEMO_DIR, dir, { recursive: true });
  return dir;
}

/**
 * Starts code-server on a free port with its own user data and extensions folders, opens `workspace`
 * in Chromium and waits for the workbench.
 * `extensionDir`: one extension folder or a list (the repository root for PreMem); each is copied the
 * way a .vsix would carry it (see copyExtension). `settings`: user settings merged over quiet defaults.
 * `env`: extra environment for code-server (and so for the extension host).
 * Returns { page, browser, url, port, sessionDir, extensionsDir, userDataDir, logFile,
 *           stop({ keep }), screenshot(name), logs() }.
 * Always call stop() (in finally or t.after); withVSCode() does that for you and reports on failure.
 */
export async function startVSCode({ workspace, extensionDir, settings = {}, env = {}, label = 'vscode' } = {}) {
  if (!workspace) throw new Error('startVSCode: workspace (an absolute folder path) is required');
  workspace = resolve(workspace);
  if (!existsSync(CODE_SERVER_ENTRY)) {
    throw new Error(`code-server is not installed at ${relative(REPO_ROOT, CODE_SERVER_ENTRY)}: run scripts/setup-e2e.sh`);
  }

  const sessionDir = await tempDir(label);
  const userDataDir = join(sessionDir, 'user-data');
  const extensionsDir = join(sessionDir, 'extensions');
  const logFile = join(sessionDir, 'code-server.log');
  const browserLogFile = join(sessionDir, 'browser.log');
  await mkdir(join(userDataDir, 'User'), { recursive: true });
  await mkdir(extensionsDir, { recursive: true });
  await writeFile(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...BASE_SETTINGS, ...settings }, null, 2),
  );
  const extensionDirs = extensionDir === undefined ? [] : [extensionDir].flat();
  for (const dir of extensionDirs) await copyExtension(dir, extensionsDir);

  const port = await freePort();
  const server = spawnCodeServer({ port, workspace, userDataDir, extensionsDir, sessionDir, logFile, env });
  const browserLog = [];
  let browser;
  let stopped = false;

  const session = {
    page: undefined,
    browser: undefined,
    url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`,
    port,
    workspace,
    sessionDir,
    userDataDir,
    extensionsDir,
    logFile,
    /** Stops the browser and the whole code-server process group; removes the session folder unless kept. */
    async stop({ keep = Boolean(process.env.PREMEM_E2E_KEEP) } = {}) {
      if (stopped) return;
      stopped = true;
      await browser?.close().catch(() => {});
      await server.stop();
      await writeFile(browserLogFile, browserLog.join('\n')).catch(() => {});
      if (!keep) await rm(sessionDir, { recursive: true, force: true });
    },
    /** Saves a PNG of the whole window to test/e2e/screenshots/<name>.png and returns its path. */
    async screenshot(name) {
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      const path = join(SCREENSHOT_DIR, `${String(name).replace(/[^\w.-]+/g, '-')}.png`);
      await session.page.screenshot({ path });
      return path;
    },
    /** The tails of code-server's log, the extension host's logs and the browser console, for failure reports. */
    async logs(lines = 60) {
      const parts = [`--- code-server (${relative(REPO_ROOT, logFile)})`, tail(await readText(logFile), lines)];
      for (const file of await extensionHostLogs(userDataDir)) {
        parts.push(`--- ${relative(REPO_ROOT, file)}`, tail(await readText(file), lines));
      }
      parts.push('--- browser console', tail(browserLog.join('\n'), lines));
      return parts.join('\n');
    },
  };

  try {
    await server.ready;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (m) => browserLog.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => browserLog.push(`[pageerror] ${e.message}`));
    session.browser = browser;
    session.page = page;
    await page.goto(session.url);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    // The explorer shows the folder once the workbench has restored its state and the file service answers.
    await page.waitForSelector('.explorer-folders-view, .explorer-viewlet', { timeout: 60_000 }).catch(() => {});
    return session;
  } catch (err) {
    const report = await session.logs().catch(() => '');
    keepTempDirs = true;
    await session.stop({ keep: true });
    err.message = `startVSCode failed: ${err.message}\n(session kept in ${relative(REPO_ROOT, sessionDir)})\n${report}`;
    throw err;
  }
}

/**
 * Runs `body(session)` against a started VS Code and always stops it. On failure it saves a
 * screenshot, prints the logs, keeps the session folder, and rethrows.
 */
export async function withVSCode(options, body) {
  const session = await startVSCode(options);
  let failed = true;
  try {
    const result = await body(session);
    failed = false;
    return result;
  } catch (err) {
    keepTempDirs = true;
    const shot = await session.screenshot(`FAILED-${options.label ?? 'vscode'}`).catch(() => undefined);
    console.error(`\ne2e failure; screenshot: ${shot ? relative(REPO_ROOT, shot) : '(none)'}; ` +
      `session kept in ${relative(REPO_ROOT, session.sessionDir)}\n${await session.logs().catch(() => '')}`);
    throw err;
  } finally {
    await session.stop({ keep: failed || Boolean(process.env.PREMEM_E2E_KEEP) });
  }
}

/**
 * Types `query` into the quick input opened by `key` and clicks the row labelled exactly `label`; when no such row
 * shows up, closes the quick input and throws `failure` with the rows that were offered.
 */
async function pickQuickInputRow(page, key, query, label, failure, timeout) {
  let input = await openQuickInput(page, key);
  // An editor opening in the meantime (a session showing its dataset) can close the quick input: open it again.
  for (let attempt = 1; ; attempt++) {
    try {
      await input.fill(query, { timeout: 5_000 });
      break;
    } catch (err) {
      if (attempt === 3) throw err;
      input = await openQuickInput(page, key);
    }
  }
  const row = page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: exactText(label) }) })
    .first();
  try {
    await row.waitFor({ state: 'visible', timeout });
  } catch {
    const shown = await quickInputRows(page);
    await page.keyboard.press('Escape');
    throw new Error(`${failure} (shown: ${JSON.stringify(shown)})`);
  }
  await row.click();
}

/** Opens the command palette and runs the command whose title is exactly `title`, like a person would. */
export async function runCommand(page, title, timeout = DEFAULT_TIMEOUT) {
  await pickQuickInputRow(page, 'F1', `>${title}`, title, `runCommand: no command titled "${title}" in the palette`, timeout);
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout }).catch(() => {});
}

/** Runs "PreMem: Open Dataset with Runs…" (the palette does not match a typed "…": type the title up to it, pick the row). */
export async function startOpenDatasetWithRuns(page, timeout = DEFAULT_TIMEOUT) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.fill('>PreMem: Open Dataset with Runs');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'PreMem: Open Dataset with Runs…' }).first().click();
  await input.waitFor({ state: 'visible', timeout });
}

/**
 * Answers VS Code's own file dialog (the simple one, setting files.simpleDialog.enable) titled `title`: types
 * `path` and presses the `ok` button.
 */
export async function answerFileDialog(page, title, path, ok, timeout = DEFAULT_TIMEOUT) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ timeout });
  await fillPath(input, path);
  await page.locator('.quick-input-widget .monaco-button', { hasText: ok }).click();
}

/**
 * Types `path` into a file dialog's input until it stays there: the web workbench's dialogs fill in their start
 * folder asynchronously and complete paths while one types, and can rewrite a value filled in too early.
 */
export async function fillPath(input, path) {
  let stable = 0;
  await waitUntil(async () => {
    if ((await input.inputValue()) === path) return ++stable >= 2;
    stable = 0;
    await input.fill(path);
    return false;
  }, { timeout: 10_000, interval: 300, what: async () => `"${path}" staying in the dialog (it holds "${await input.inputValue()}")` });
}

/** Opens `relativePath` (relative to the workspace folder) through quick open (Ctrl+P); waits for its tab. */
export async function openFile(page, relativePath, timeout = DEFAULT_TIMEOUT) {
  const name = basename(relativePath);
  await pickQuickInputRow(page, 'Control+P', relativePath, name, `openFile: "${relativePath}" not offered by quick open`, timeout);
  await page
    .locator('.tabs-container .tab.active', { has: page.locator('.label-name', { hasText: exactText(name) }) })
    .waitFor({ state: 'visible', timeout });
}

/**
 * Finds the frame of a webview whose document satisfies `match`: a CSS selector present in the document,
 * or an async predicate (frame) => boolean. Webview content lives in a nested iframe of the page.
 */
export async function webviewFrame(page, match, timeout = DEFAULT_TIMEOUT) {
  const test = typeof match === 'function'
    ? match
    : async (frame) => (await frame.$(match)) !== null;
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame() || frame.isDetached()) continue;
      try {
        if (await test(frame)) return frame;
      } catch {
        // Frames come and go while webviews load; a detached or navigating frame simply does not match.
      }
    }
    if (Date.now() > deadline) {
      const urls = page.frames().map((f) => f.url().slice(0, 120));
      throw new Error(`webviewFrame: no frame matching ${typeof match === 'function' ? 'the predicate' : `"${match}"`} ` +
        `within ${timeout} ms (frames: ${JSON.stringify(urls)})`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits until the visible text of a page or frame contains `text` (non-breaking spaces count as spaces). */
export async function waitForText(target, text, timeout = DEFAULT_TIMEOUT) {
  try {
    await target.waitForFunction(
      (wanted) => (document.body?.innerText ?? '').replace(/\u00a0/g, ' ').includes(wanted),
      text,
      { timeout, polling: 200 },
    );
  } catch (err) {
    const seen = await target
      .evaluate(() => (document.body?.innerText ?? '').replace(/\u00a0/g, ' ').slice(0, 2000))
      .catch(() => '(unreadable)');
    throw new Error(`waitForText: "${text}" did not appear within ${timeout} ms (${err.message.split('\n')[0]}).\n` +
      `Visible text begins:\n${seen}`);
  }
}

/**
 * The status bar's entries in page order (left group, then right group): { id, text, label }. `id` is
 * <publisher>.<extension name>.<item id> for extension items; `label` is the accessible name.
 */
export async function readStatusBar(page) {
  return page.$$eval('.part.statusbar .statusbar-item', (items) =>
    items.map((el) => ({
      id: el.id,
      text: (el.innerText ?? '').replace(/\s+/g, ' ').trim(),
      label: el.querySelector('[aria-label]')?.getAttribute('aria-label') ?? el.getAttribute('aria-label') ?? '',
    })));
}

/**
 * Waits until `condition()` gives a truthy value and returns it, for conditions only the test process can check
 * (files, logs, numbers it computed), every `interval` ms. A condition that throws (a failed assertion) counts as
 * not yet; after `timeout` ms the last error, or `what`, is thrown.
 */
export async function waitUntil(condition, { timeout = DEFAULT_TIMEOUT, what = 'the condition', interval = 100 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    let failure;
    try {
      const value = await condition();
      if (value) return value;
    } catch (err) {
      failure = err;
    }
    if (Date.now() > deadline) {
      if (failure) throw failure;
      throw new Error(`${typeof what === 'function' ? await what() : what} did not come within ${timeout} ms`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Waits until the status bar item `id` (see readStatusBar) has a text matching `pattern`; returns the text. */
export async function waitForStatusItem(page, id, pattern, timeout = 60_000) {
  let text = '';
  return waitUntil(async () => {
    text = (await readStatusBar(page)).find((item) => item.id === id)?.text ?? '';
    return pattern.test(text) && text;
  }, { timeout, what: () => `status bar text matching ${pattern} (last: "${text}")` });
}

/** The messages of the notification toasts now shown. */
export async function notifications(page) {
  return page.$$eval('.notifications-toasts .notification-toast .notification-list-item-message', (items) =>
    items.map((el) => (el.innerText ?? '').replace(/\u00a0/g, ' ').trim()));
}

/** Waits for a notification toast whose message contains `text`; returns the message. */
export async function waitForNotification(page, text, timeout = DEFAULT_TIMEOUT) {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  try {
    await toast.waitFor({ state: 'visible', timeout });
  } catch {
    throw new Error(`waitForNotification: no notification containing "${text}" within ${timeout} ms ` +
      `(shown: ${JSON.stringify(await notifications(page))})`);
  }
  // Let it finish sliding in, so a screenshot shows it whole.
  await page
    .locator('.notifications-toasts .notification-toast.notification-fade-in-done', { hasText: text })
    .first()
    .waitFor({ state: 'visible', timeout: 2000 })
    .catch(() => {});
  const message = toast.locator('.notification-list-item-message');
  return (await message.innerText()).trim();
}

// ---------------------------------------------------------------------------------------------

/**
 * Copies an extension folder into `extensionsDir` the way a .vsix carries it (package.json, its main
 * entry, dist/, media/, README/CHANGELOG/LICENSE and whatever "files" lists; no sources, no node_modules),
 * so a packaging mistake shows up here too. The folder is named publisher.name-version as VS Code does.
 */
export async function copyExtension(sourceDir, extensionsDir) {
  sourceDir = resolve(sourceDir);
  const manifestPath = join(sourceDir, 'package.json');
  let manifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (err) {
    throw new Error(`copyExtension: cannot read ${manifestPath}: ${err.message}`);
  }
  const target = join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  await mkdir(target, { recursive: true });
  const entries = new Set(['package.json', 'dist', 'media', ...(manifest.files ?? [])]);
  for (const main of [manifest.main, manifest.browser]) {
    if (main) entries.add(relative(sourceDir, resolve(sourceDir, main.endsWith('.js') ? main : `${main}.js`)));
  }
  for (const name of await readdir(sourceDir)) {
    if (/^(readme|changelog|license)(\.|$)/i.test(name)) entries.add(name);
  }
  for (const entry of entries) {
    const from = join(sourceDir, entry);
    if (!existsSync(from)) continue;
    await cp(from, join(target, entry), {
      recursive: true,
      filter: (path) => !path.endsWith('.vsix') && !path.split(/[\\/]/).includes('node_modules'),
    });
  }
  if (manifest.main && !existsSync(join(target, manifest.main)) && !existsSync(join(target, `${manifest.main}.js`))) {
    throw new Error(`copyExtension: ${manifest.main} (package.json "main") is missing in ${sourceDir}; build first`);
  }
  return target;
}

/**
 * Starts code-server on 127.0.0.1:port without authentication, with its own user data, extensions and config, on
 * `workspace`; the tests and `npm run demo` both start it here. detached: its own process group, so the caller can
 * end it with its extension host and terminals (process.kill(-child.pid)).
 */
export function startCodeServer({ port, workspace, userDataDir, extensionsDir, configFile, env = {}, stdio }) {
  const args = [
    CODE_SERVER_ENTRY,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--config', configFile,
    '--extensions-dir', extensionsDir,
    '--user-data-dir', userDataDir,
    workspace,
  ];
  return spawn(process.execPath, args, { detached: true, stdio, env: { ...process.env, EXTENSIONS_GALLERY: LOOPBACK_GALLERY, ...env } });
}

function spawnCodeServer({ port, workspace, userDataDir, extensionsDir, sessionDir, logFile, env }) {
  const logChunks = [];
  const configFile = join(sessionDir, 'code-server.yaml');
  const child = startCodeServer({ port, workspace, userDataDir, extensionsDir, configFile, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const flush = () => writeFile(logFile, Buffer.concat(logChunks)).catch(() => {});
  child.stdout.on('data', (d) => { logChunks.push(d); flush(); });
  child.stderr.on('data', (d) => { logChunks.push(d); flush(); });
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const killGroup = (signal) => {
    try { process.kill(-child.pid, signal); } catch { /* already gone */ }
  };
  liveGroups.add(killGroup);
  installExitCleanup();

  const ready = (async () => {
    const deadline = Date.now() + 60_000;
    let early;
    exited.then((x) => { early = x; });
    while (Date.now() < deadline) {
      if (early) throw new Error(`code-server exited early (code ${early.code}, signal ${early.signal})`);
      if (await answers(`http://127.0.0.1:${port}/healthz`)) return;
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`code-server did not answer on port ${port} within 60 s`);
  })();

  return {
    ready,
    async stop() {
      killGroup('SIGTERM');
      let timer;
      const done = await Promise.race([exited, new Promise((r) => { timer = setTimeout(r, 5000); })]);
      clearTimeout(timer);
      if (!done) killGroup('SIGKILL');
      // The extension host and other children share the group: make sure none outlives the test.
      await new Promise((r) => setTimeout(r, 100));
      killGroup('SIGKILL');
      liveGroups.delete(killGroup);
      await flush();
    },
  };
}

// Process groups still running are killed if the test process exits without stopping them (a test
// timing out, Ctrl+C); temporary folders go too unless something failed.
const liveGroups = new Set();
const tempDirs = new Set();
let keepTempDirs = Boolean(process.env.PREMEM_E2E_KEEP);
let exitCleanupInstalled = false;
function installExitCleanup() {
  if (exitCleanupInstalled) return;
  exitCleanupInstalled = true;
  process.on('exit', () => {
    for (const kill of liveGroups) kill('SIGKILL');
    if (keepTempDirs) return;
    for (const dir of tempDirs) {
      try { rmSync(dir, { recursive: true, force: true }); } catch { /* best effort */ }
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      keepTempDirs = true;
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
}

async function answers(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** `preferred` when it is free on 127.0.0.1, else any free port. */
export function freePort(preferred = 0) {
  const tryPort = (p) =>
    new Promise((resolvePort, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(p, '127.0.0.1', () => {
        const { port } = srv.address();
        srv.close(() => resolvePort(port));
      });
    });
  return tryPort(preferred).catch(() => tryPort(0));
}

async function openQuickInput(page, key) {
  await page.keyboard.press(key);
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: DEFAULT_TIMEOUT });
  return input;
}

async function quickInputRows(page) {
  return page.$$eval('.quick-input-widget .quick-input-list .monaco-list-row', (rows) =>
    rows.map((r) => r.getAttribute('aria-label') ?? r.textContent)).catch(() => []);
}

function exactText(text) {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

async function extensionHostLogs(userDataDir) {
  const found = [];
  async function walk(dir, depth) {
    let names;
    try { names = await readdir(dir); } catch { return; }
    for (const name of names) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info?.isDirectory() && depth < 4) await walk(path, depth + 1);
      else if (/exthost.*\.log$|^remoteagent\.log$/i.test(name)) found.push(path);
    }
  }
  await walk(join(userDataDir, 'logs'), 0);
  return found;
}

async function readText(path) {
  try { return await readFile(path, 'utf8'); } catch { return '(none)'; }
}

function tail(text, lines) {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

/** Picks a quick-pick item as a person would: types its label first (long lists are virtual), then clicks it. */
export async function pickQuickItem(page, label) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(label);
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await row.click();
}
