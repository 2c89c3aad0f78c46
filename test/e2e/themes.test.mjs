// Every webview in the four kinds of VS Code theme: dark, light, high contrast and high contrast light, switched
// through Preferences: Color Theme in one running VS Code on a copy of the demo workspace. Each panel is screenshot in
// each theme (test/e2e/screenshots/theme-<panel>-<theme>.png) and the text that must be read — answer chips, diff
// marks, checkpoint headings, table cells, dashboard text — has a WCAG contrast of at least 4.5 against what is
// behind it there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REPO_ROOT, demoWorkspace, runCommand, webviewFrame, withVSCode } from './harness.mjs';
import { contrastOf } from './contrast.mjs';

const MIN_CONTRAST = 4.5;

/** Theme kind, the theme's id (the workbench.colorTheme setting) and its label in the theme picker. */
const THEMES = [
  ['dark', 'Default Dark Modern', 'Dark Modern'],
  ['light', 'Default Light Modern', 'Light Modern'],
  ['high-contrast', 'Default High Contrast', 'Dark High Contrast'],
  ['high-contrast-light', 'Default High Contrast Light', 'Light High Contrast'],
];

/** What must be readable in each panel. */
const READABLE = {
  example: [
    'code.answer',
    '.outcome',
    '.sample-text ins.added',
    '.sample-text del.removed',
    'vscode-collapsible.checkpoint >>> .title',
    '.checkpoint-numbers',
    '.numbers dt',
  ],
  dashboard: ['header.top h1', '.headline', '.card h2', '.card-summary', '#advice-table td', '#advice-table th', '.legend-item', 'button', '#comparison-buckets td', '#comparison-grid summary', '#data-map-cell p'],
  table: ['.row.header .cell', '.rows .row .cell.query', '.rows .row .cell.premem', '.rows .row .cell.key', '.status'],
};

/** Picks the theme in Preferences: Color Theme, as a person would. */
async function switchTheme(page, label) {
  await runCommand(page, 'Preferences: Color Theme');
  await page.locator('.quick-input-widget .quick-input-box input').fill(label);
  await page.locator('.quick-input-widget .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) }).first().click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** Switches to each theme in turn, waits for the panel's body to take it, screenshots and measures. */
async function checkEveryTheme(session, panel, findFrame, showFirst) {
  const failures = [];
  for (const [name, theme, label] of THEMES) {
    await switchTheme(session.page, label);
    const frame = await findFrame();
    await frame.waitForFunction((id) => document.body.dataset.vscodeThemeId === id, theme, { timeout: 30_000 }).catch(async (err) => {
      const seen = await frame.evaluate(() => JSON.stringify({ className: document.body.className, ...document.body.dataset }));
      throw new Error(`the ${panel} panel did not take the theme ${theme}: ${seen} (${err.message.split('\n')[0]})`);
    });
    if (showFirst) await frame.locator(showFirst).first().evaluate((e) => e.scrollIntoView({ block: 'center' }));
    // The panels redraw their charts in the animation frame after the theme change: two frames on, they are drawn.
    await frame.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await session.screenshot(`theme-${panel}-${name}`);
    for (const r of await contrastOf(frame, READABLE[panel])) {
      if (r.ratio === null) failures.push(`${panel} in ${name}: nothing visible matches ${r.selector}`);
      else if (r.ratio < MIN_CONTRAST) failures.push(`${panel} in ${name}: ${r.selector} "${r.text}" ${r.color} on ${r.background}, contrast ${r.ratio.toFixed(2)}`);
    }
  }
  return failures;
}

test('every webview is readable in dark, light, high contrast and high contrast light themes', { timeout: 600_000 }, async () => {
  const workspace = await demoWorkspace('themes');
  const settings = { 'workbench.colorTheme': THEMES[0][1], 'editor.minimap.enabled': false };
  await withVSCode({ workspace, extensionDir: REPO_ROOT, settings, label: 'themes' }, async (session) => {
    const { page } = session;
    await page.waitForFunction(() => [...document.querySelectorAll('.part.statusbar .statusbar-item')].some((e) => /PreMem: .*ckpt/.test(e.innerText)), undefined, { timeout: 120_000 });
    // The scored run has sample texts; its first checkpoint, ep1.
    await runCommand(page, 'PreMem: Select Run and Checkpoint…');
    await page.locator('.quick-input-widget .quick-input-box input').fill('reference-ngram');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'reference-ngram' }).first().click();
    await page.locator('.quick-input-widget .quick-input-box input').fill('ep1');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'ep1' }).first().click();
    await page.waitForFunction(() => [...document.querySelectorAll('.part.statusbar .statusbar-item')].some((e) => /PreMem: reference-ngram · ckpt 1\/3/.test(e.innerText)), undefined, { timeout: 30_000 });

    const failures = [];
    const example = () => webviewFrame(page, async (f) => (await f.$('code.answer')) !== null, 60_000);
    const frame = await example().catch(async () => {
      await runCommand(page, 'PreMem: Show Example Samples');
      return example();
    });
    // The panel opens the selected checkpoint, not the last.
    await frame.waitForFunction(() => document.querySelector('vscode-collapsible.checkpoint[open]')?.dataset.checkpoint === 'ep1', undefined, { timeout: 15_000 });
    assert.deepEqual(await frame.$$eval('vscode-collapsible.checkpoint[open]', (items) => items.map((c) => c.dataset.checkpoint)), ['ep1']);
    failures.push(...(await checkEveryTheme(session, 'example', example, 'li.sample')));

    await runCommand(page, 'PreMem: Show Dashboard');
    const dashboard = () => webviewFrame(page, async (f) => (await f.$('#advice-table tbody tr')) !== null, 90_000);
    const shown = await dashboard();
    // The run comparison against another run, and the examples of a data map cell, so that their text is measured too.
    await shown.locator('#compare-run').selectOption('1');
    await shown.waitForFunction(() => document.querySelectorAll('#comparison-buckets td').length === 9, undefined, { timeout: 30_000 });
    await shown.locator('#data-map-canvas').press('ArrowUp');
    await shown.locator('#data-map-canvas').press('Enter');
    await shown.waitForFunction(() => /examples/.test(document.querySelector('#data-map-cell p')?.textContent ?? ''), undefined, { timeout: 15_000 });
    failures.push(...(await checkEveryTheme(session, 'dashboard', dashboard)));

    await runCommand(page, 'PreMem: Open Dataset in Table View');
    const table = () => webviewFrame(page, '.table-app .rows .row', 60_000);
    await table();
    failures.push(...(await checkEveryTheme(session, 'table', table)));

    assert.deepEqual(failures, []);
  });
});
