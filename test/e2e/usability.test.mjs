// What a new user does first on the demo workspace, in real VS Code: the run picker starts on the checkpoint shown
// (or the run's last), and a row clicked in the table of a normal-size dataset opens the text editor beside the
// table instead of over it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCommand, tempDir, webviewFrame, withVSCode } from './harness.mjs';

const DEMO = join(REPO_ROOT, 'demo');
const SETTINGS = { 'workbench.colorTheme': 'Default Dark Modern', 'editor.minimap.enabled': false };

const quickInput = (page) => page.locator('.quick-input-widget .quick-input-box input');
const focusedRow = (page) => page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused .label-name').first();

/** Opens the run picker, picks `run`; returns the checkpoint row the second picker starts on. */
async function checkpointPickerStart(page, run) {
  await runCommand(page, 'PreMem: Select Run and Checkpoint…');
  await quickInput(page).fill(run);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: run }).first().click();
  await page.locator('.quick-input-widget .quick-input-title', { hasText: `checkpoint of ${run}` }).waitFor({ timeout: 15_000 });
  return (await focusedRow(page).innerText()).trim();
}

test('run picker starts on the current checkpoint; a table row opens the text beside the table', { timeout: 300_000, skip: existsSync(join(DEMO, 'premem.json')) ? false : 'skipped: demo/ is not built' }, async () => {
  const workspace = await tempDir('usability');
  await cp(DEMO, workspace, { recursive: true });
  await withVSCode({ workspace, extensionDir: REPO_ROOT, settings: SETTINGS, label: 'usability' }, async ({ page }) => {
    await page.waitForFunction(() => [...document.querySelectorAll('.part.statusbar .statusbar-item')].some((e) => /PreMem: .*ckpt/.test(e.innerText)), undefined, { timeout: 120_000 });

    // Another run: its last checkpoint. Then, with ep1 shown, the picker comes back to ep1.
    assert.equal(await checkpointPickerStart(page, 'reference-ngram'), 'ep3');
    await quickInput(page).fill('ep1');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => [...document.querySelectorAll('.part.statusbar .statusbar-item')].some((e) => /PreMem: reference-ngram · ckpt 1\/3/.test(e.innerText)), undefined, { timeout: 30_000 });
    assert.equal(await checkpointPickerStart(page, 'reference-ngram'), 'ep1');
    await page.keyboard.press('Escape');

    // The 4 MB dataset in the table, in the text editor's group; a row clicked opens the text in the next group.
    await page.locator('.tabs-container .tab', { hasText: 'gsm8k-train.jsonl' }).first().click();
    await runCommand(page, 'PreMem: Open Dataset in Table View');
    const table = await webviewFrame(page, '.table-app .rows .row', 60_000);
    await table.locator('.rows .row[data-row="3"]').click();
    // The click shows the example in the panel, and the first group still shows the table, not the text editor.
    await webviewFrame(page, async (f) => (await f.$eval('.example-header h2', (e) => e.textContent).catch(() => '')) === 'Example 4', 30_000);
    await page.waitForTimeout(1000);
    const firstGroup = page.locator('.editor-group-container').first();
    assert.equal(await firstGroup.locator('.monaco-editor').first().isVisible(), false, 'the text editor covers the table');
    assert.ok(await table.locator('.rows .row.selected').isVisible());
  });
});
